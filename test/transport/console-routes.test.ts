import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { registerConsoleRoutes } from "../../src/transport/console-routes.js";

const empty = await mkdtemp(join(tmpdir(), "console-unbuilt-"));
afterAll(() => rm(empty, { recursive: true, force: true }));

describe("console routes without a build", () => {
  it("answer 503 saying how to build, for the page and its assets", async () => {
    const app = Fastify();
    await registerConsoleRoutes(app, join(empty, "missing"));
    for (const url of ["/console/", "/console/assets/index.js"]) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain("npm run build");
    }
    expect((await app.inject({ url: "/console" })).headers.location).toBe("/console/");
    await app.close();
  });
});
