// The support console in a real browser: Debian's Chromium driven by playwright-core, against the real
// service and database, the console built from console/ into a temporary folder first.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { CONSOLE_CONTENT_SECURITY_POLICY } from "../../src/transport/console-routes.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const CHROMIUM = "/usr/bin/chromium";
const READ_ONLY_KEY = "read-only-console-key-0123456789";
const SCREENSHOT = resolve("test-results/console.png");

let server: TestServer;
let browser: Browser;
let page: Page;
let consoleDir: string;
const requests: { url: string; method: string; contentType: string | undefined }[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's browser with \`apt-get install -y chromium\` (.ci/run does).`,
    );
  }
  consoleDir = await mkdtemp(join(tmpdir(), "console-build-"));
  await build({
    configFile: resolve("console/vite.config.ts"),
    logLevel: "warn",
    build: { outDir: consoleDir },
  });
  server = await startTestServer({
    apiKeys: [TEST_API_KEY, { key: READ_ONLY_KEY, subject: "api-key#2", scopes: ["customers.read"] }],
    consoleDir,
  });
  const client = createClient(
    CustomerService,
    createGrpcWebTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }),
  );
  // Enough customers with one first name for three pages of ten.
  for (let i = 0; i < 25; i += 1) {
    await client.createCustomer(
      {
        customer: {
          firstName: "Pagina",
          lastName: `Number${String.fromCharCode(97 + i)}`,
          email: `pagina.${i}@example.com`,
        },
      },
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on("request", (request) => {
    requests.push({
      url: request.url(),
      method: request.method(),
      contentType: request.headers()["content-type"],
    });
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

async function useCredential(credential: string): Promise<void> {
  await page.fill("#credential", credential);
  await page.click("#credential-form button[type=submit]");
}

async function searchByEmail(email: string): Promise<void> {
  await page.fill("#search-form input[name=email]", email);
  await page.fill("#search-form input[name=first_name]", "");
  await page.click("#search-form button[value=contact]");
}

describe("support console in Chromium", () => {
  it("serves index.html no-cache and hashed assets immutable, both under a strict CSP", async () => {
    const index = await fetch(`${server.baseUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    const script = (await index.text()).match(/src="(\/console\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.baseUrl}${script}`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(`${server.baseUrl}/console/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/console/../package.json`)).status).not.toBe(200);
  });

  it("shows a refused credential as a 401 with its request id", async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await useCredential("wrong-key-0123456789abcdef");
    await searchByEmail("nobody@example.com");
    await expect.poll(() => page.textContent("#error")).toContain("401");
    expect(await page.textContent("#error .request-id")).toMatch(/\S{8,}/);
  });

  it("catches a proto rule in the browser before any call is sent", async () => {
    await useCredential(TEST_API_KEY);
    await page.click("#new-customer");
    await page.fill("#field-first-name", "Ada");
    await page.fill("#field-last-name", "Lovelace");
    await page.fill("#field-email", "ada-at-example");
    await page.fill("#field-address-line1", "12 Analytical Row");
    await page.fill("#field-address-city", "Babbageton");
    await page.fill("#field-address-country", "gb");
    const before = requests.length;
    await page.click("#save-customer");
    await page.waitForSelector("#field-email-error:not([hidden])");
    expect(await page.textContent("#field-email-error")).toMatch(/email/i);
    expect(await page.getAttribute("#field-email", "aria-invalid")).toBe("true");
    expect(await page.evaluate("document.activeElement?.id")).toBe("field-email");
    // protovalidate over the generated descriptors refused it: no CreateCustomer left the page, and the
    // lower-case country (normalised as the server does) was not flagged.
    expect(requests.slice(before).filter((r) => r.url.includes("CreateCustomer"))).toEqual([]);
    expect(await page.getAttribute("#field-address-country", "aria-invalid")).not.toBe("true");
  });

  it("creates a customer after showing the server's violation next to the field", async () => {
    await page.fill("#field-email", "ada@example.com");
    // E.164 shape is left to the server (national formats are accepted there): it answers BadRequest.
    await page.fill("#field-phone", "+1 555");
    await page.click("#save-customer");
    await page.waitForSelector("#field-phone-error:not([hidden])");
    expect(await page.textContent("#field-phone-error")).toMatch(/phone/i);
    expect(await page.getAttribute("#field-phone", "aria-invalid")).toBe("true");
    expect(await page.evaluate("document.activeElement?.id")).toBe("field-phone");
    expect(requests.some((r) => r.url.includes("CreateCustomer"))).toBe(true);
    await page.fill("#field-phone", "");
    await page.click("#save-customer");
    await expect.poll(() => page.textContent("#status")).toContain("Created customer");
  });

  it("finds the customer by email and by address, and edits it with an update mask", async () => {
    await searchByEmail("ada@example.com");
    await page.waitForSelector("#results table");
    expect(await page.textContent("#results tbody")).toContain("Ada Lovelace");
    await page.fill("#search-form input[name=email]", "");
    await page.fill("#search-form input[name=city]", "Babbageton");
    await page.fill("#search-form input[name=line1]", "12 Analytical Row");
    await page.click("#search-form button[value=address]");
    await expect.poll(() => page.textContent("#results tbody")).toContain("Ada Lovelace");
    await page.click("#results .open-customer");
    await expect.poll(() => page.inputValue("#field-email")).toBe("ada@example.com");
    await page.fill("#field-company", "Analytical Engines Ltd");
    await page.click("#save-customer");
    await expect.poll(() => page.textContent("#status")).toBe("Saved.");
    expect(await page.inputValue("#field-company")).toBe("Analytical Engines Ltd");
    expect(await page.inputValue("#field-address-city")).toBe("Babbageton");
  });

  it("reports a conflict when the customer changed since it was opened (etag)", async () => {
    const id = (await page.textContent("#customer-form .readonly"))?.match(/Id (\S+)/)?.[1] ?? "";
    const client = createClient(
      CustomerService,
      createGrpcWebTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }),
    );
    await client.updateCustomer(
      { customerId: id, customer: { lastName: "King" }, updateMask: { paths: ["last_name"] } },
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
    await page.fill("#field-company", "Difference Engines Ltd");
    await page.click("#save-customer");
    await expect.poll(() => page.textContent("#error")).toContain("Someone else changed this customer");
    const current = await client.getCustomer(
      { customerId: id },
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
    expect(current.company).toBe("Analytical Engines Ltd");
  });

  it("checks the search fields before calling: an empty search sends nothing", async () => {
    const before = requests.length;
    await page.click("#search-form button[value=contact]");
    await expect.poll(() => page.textContent("#search-error")).toContain("Enter a phone");
    expect(requests.length).toBe(before);
  });

  it("says when nothing matches", async () => {
    await page.fill("#search-form input[name=city]", "");
    await page.fill("#search-form input[name=line1]", "");
    await searchByEmail("no-such-customer@example.com");
    await expect.poll(() => page.textContent("#results")).toContain("No results");
  });

  it("pages through results by next_page_token", async () => {
    await page.fill("#search-form input[name=email]", "");
    await page.fill("#search-form input[name=first_name]", "Pagina");
    await page.click("#search-form button[value=contact]");
    const seen = new Set<string>();
    for (const expected of [10, 10, 5]) {
      await expect.poll(() => page.locator("#results tbody tr").count()).toBe(expected);
      for (const name of await page.locator("#results tbody .open-customer").allTextContents())
        seen.add(name);
      if (expected === 10) await page.click("#next-page");
      // Wait for the next page to replace this one.
      if (expected === 10)
        await expect
          .poll(async () =>
            seen.has((await page.locator("#results .open-customer").first().textContent()) ?? ""),
          )
          .toBe(false);
    }
    expect(seen.size).toBe(25);
    expect(await page.isHidden("#next-page")).toBe(true);
    await mkdir(resolve("test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    console.log(`console screenshot: ${SCREENSHOT}`);
  });

  it("disables editing once a read-only credential gets PERMISSION_DENIED", async () => {
    await useCredential(READ_ONLY_KEY);
    await page.click("#new-customer");
    await page.fill("#field-first-name", "Grace");
    await page.fill("#field-last-name", "Hopper");
    await page.fill("#field-email", "grace@example.com");
    await page.click("#save-customer");
    await expect.poll(() => page.textContent("#error")).toContain("403");
    expect(await page.isDisabled("#save-customer")).toBe(true);
    expect(await page.isDisabled("#new-customer")).toBe(true);
  });

  it("spoke only gRPC-web, only to the service's origin", () => {
    const origin = new URL(server.baseUrl).origin;
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(new URL(request.url).origin).toBe(origin);
    const rpcs = requests.filter((r) => new URL(r.url).pathname.startsWith("/customers.v1.CustomerService/"));
    expect(rpcs.length).toBeGreaterThan(8);
    for (const rpc of rpcs) expect(rpc.contentType).toBe("application/grpc-web+proto");
    const others = requests.filter((r) => !rpcs.includes(r));
    for (const other of others) {
      expect(other.method).toBe("GET");
      expect(new URL(other.url).pathname).toMatch(/^\/console\//);
    }
  });
});
