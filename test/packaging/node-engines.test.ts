// package.json's engines is a promise: every Node version it names runs every installed package.
// A dependency that claims less (cookie 2 and protoc-gen-es 2.14+ say node >=22) makes `npm ci`
// warn EBADENGINE on Node 20 and may really break there, so the lock file is checked here.
import { readFile } from "node:fs/promises";
import Fastify from "fastify";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(new URL(file, root), "utf8")) as T;
}

describe("Node engines", () => {
  it("claims Node 20.19+, 22 and 24", async () => {
    const { engines } = await readJson<{ engines: { node: string } }>("package.json");
    for (const version of ["20.19.0", "22.13.0", "24.0.0"]) {
      expect(semver.satisfies(version, engines.node), `${version} in ${engines.node}`).toBe(true);
    }
    expect(semver.satisfies("18.20.0", engines.node)).toBe(false);
  });

  it("every locked package supports every Node version package.json claims", async () => {
    const { engines } = await readJson<{ engines: { node: string } }>("package.json");
    const lock = await readJson<{ packages: Record<string, LockedPackage> }>("package-lock.json");
    const unsupported: string[] = [];
    for (const [location, entry] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (location === "" || wanted === undefined) continue;
      if (!semver.subset(engines.node, wanted)) {
        unsupported.push(`${location}@${entry.version} needs node ${wanted}${entry.dev ? " (dev)" : ""}`);
      }
    }
    expect(unsupported).toEqual([]);
  });

  it("fastify.inject still sends cookies with the cookie version light-my-request is held at", async () => {
    // package.json overrides light-my-request's cookie 2 (node >=22, ESM only) with 1.1.1, which has
    // the same stringifySetCookie; this is the one code path that uses it.
    const app = Fastify();
    app.get("/echo", async (request) => ({ cookie: request.headers.cookie }));
    try {
      const response = await app.inject({ url: "/echo", cookies: { session: "a b", theme: "dark" } });
      expect(response.json()).toEqual({ cookie: "session=a%20b; theme=dark" });
    } finally {
      await app.close();
    }
  });
});
