import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The support console (console/, built by `npm run build:console` into dist/console) served at
 * /console/. Only files found in the build folder at start-up are served (a fixed table, so no path
 * from a URL ever reaches the file system). Vite names assets by content hash, so they are cached
 * for a year; index.html is revalidated each time so a new build is picked up at once.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/** dist/console, from dist/src/transport (built) or src/transport (tsx). */
export function defaultConsoleDir(): string {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  return root.endsWith(`${sep}dist${sep}`) ? join(root, "console") : join(root, "dist", "console");
}

interface ConsoleFile {
  body: Buffer;
  contentType: string;
  immutable: boolean;
}

async function filesUnder(dir: string): Promise<Map<string, ConsoleFile> | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return undefined;
  }
  const files = new Map<string, ConsoleFile>();
  for (const name of names) {
    const path = relative(dir, name).split(sep).join("/");
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    files.set(path, { body: await readFile(name), contentType, immutable: path.startsWith("assets/") });
  }
  return files.has("index.html") ? files : undefined;
}

export async function registerConsoleRoutes(app: FastifyInstance, dir = defaultConsoleDir()): Promise<void> {
  const files = await filesUnder(dir);
  const send = (reply: FastifyReply, file: ConsoleFile | undefined) => {
    if (files === undefined) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(
          "The support console is not built. Run `npm run build` (or `npm run build:console`) and restart.\n",
        );
    }
    if (file === undefined)
      return reply.code(404).type("text/plain; charset=utf-8").send("No such console file.\n");
    // Overrides response-headers.ts's no-store: these are the same public files for everyone.
    reply.header("cache-control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    reply.header("content-security-policy", CONSOLE_CONTENT_SECURITY_POLICY);
    reply.header("referrer-policy", "no-referrer");
    return reply.type(file.contentType).send(file.body);
  };
  app.get("/console", (_req, reply) => reply.redirect("/console/", 308));
  app.get("/console/", (_req, reply) => send(reply, files?.get("index.html")));
  app.get<{ Params: { "*": string } }>("/console/*", (req, reply) =>
    send(reply, files?.get(req.params["*"])),
  );
}
