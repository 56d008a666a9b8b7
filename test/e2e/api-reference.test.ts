// The API reference page at /docs: served by the service itself (no CDN), without credentials, under
// a strict Content-Security-Policy, and rendered from /openapi.json, which lists the five operations.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("GET /docs", () => {
  it("redirects to /docs/, which serves the page without credentials", async () => {
    const redirect = await fetch(`${server.baseUrl}/docs`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/docs/");
    const page = await fetch(`${server.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("loads every script from the service itself, allowed by a CSP with no CDN and no unsafe-inline script", async () => {
    const page = await fetch(`${server.baseUrl}/docs/`);
    const html = await page.text();
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src")) ?? "";
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).not.toMatch(/https?:/);

    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(src, "script is served by the service").not.toMatch(/^(https?:)?\/\//);
      const script = await fetch(new URL(src, `${server.baseUrl}/docs/`));
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(100_000);
    }
    // Each executable inline script is allowed by its hash, so the page runs under this CSP.
    for (const [, attrs, body] of html.matchAll(/<script(?![^>]*\ssrc=)([^>]*)>([\s\S]*?)<\/script>/g)) {
      if (/application\/json/.test(attrs)) continue;
      const hash = createHash("sha256").update(body).digest("base64");
      expect(scriptSrc).toContain(`'sha256-${hash}'`);
    }
  });

  it("renders /openapi.json, whose five operations the reference lists", async () => {
    const html = await (await fetch(`${server.baseUrl}/docs/`)).text();
    expect(html).toContain("/openapi.json");
    const doc = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const rpcs = new Set(
      Object.values(doc.paths).flatMap((ops) =>
        Object.values(ops).map((op) => op.operationId.replace(/Patch$/, "")),
      ),
    );
    expect([...rpcs].sort()).toEqual([
      "CreateCustomer",
      "GetCustomer",
      "SearchCustomers",
      "SearchCustomersByAddress",
      "UpdateCustomer",
    ]);
  });
});
