# customer-api container image. Not built on the machines this repository is developed on (no
# Docker there): test/packaging/container.test.ts checks what it can (copied paths, the command,
# compose.yaml). Build: docker build -t customer-api .

# Build stage: every dependency, TypeScript compiled to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY gen ./gen
COPY migrations ./migrations
RUN npm run build

# Runtime stage: production dependencies and the compiled output only; no compiler, no buf.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# DATA_DIR is only used without DATABASE_URL (embedded PostgreSQL inside the container, for a try-out).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8080
# The slim image has no curl: Node's fetch asks /readyz (503 while the database does not answer).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, no npm or shell in between: node is PID 1 and gets `docker stop`'s SIGTERM itself.
CMD ["node", "dist/src/server.js"]
