import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

/** A throw-away self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), "customer-api-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(path.join(dir, "cert.pem")), key: readFileSync(path.join(dir, "key.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("TLS on the same port", () => {
  const credentials = selfSignedCertificate();
  let server: TestServer;
  let httpsUrl: string;
  beforeAll(async () => {
    server = await startTestServer({ tls: credentials });
    httpsUrl = `https://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it("serves gRPC over TLS, negotiating h2 by ALPN", async () => {
    const transport = createGrpcTransport({ baseUrl: httpsUrl, nodeOptions: { ca: credentials.cert } });
    const client = createClient(CustomerService, transport);
    const headers = { authorization: `Bearer ${TEST_API_KEY}` };
    const created = await client.createCustomer(
      { customer: { firstName: "Ada", lastName: "Lovelace", email: "ada.tls@example.com" } },
      { headers },
    );
    const read = await client.getCustomer({ customerId: created.customerId }, { headers });
    expect(read.email).toBe("ada.tls@example.com");
    const error = await client
      .getCustomer({ customerId: created.customerId })
      .catch((e) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.Unauthenticated });
  });

  it("serves gRPC-web over TLS with HTTP/1.1", async () => {
    const transport = createGrpcWebTransport({
      baseUrl: httpsUrl,
      httpVersion: "1.1",
      nodeOptions: { ca: credentials.cert },
    });
    const client = createClient(CustomerService, transport);
    const found = await client.searchCustomers(
      { email: "ADA.TLS@example.com" },
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
    expect(found.customers.map((c) => c.email)).toEqual(["ada.tls@example.com"]);
  });

  it("serves REST over TLS to an HTTP/1.1 client that offers no ALPN", async () => {
    const { status, body } = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = https.get(
        `${httpsUrl}/v1/customers/search?email=ada.tls@example.com`,
        { ca: credentials.cert, headers: { authorization: `Bearer ${TEST_API_KEY}` } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode, body: text }));
        },
      );
      req.on("error", reject);
    });
    expect(status).toBe(200);
    expect(JSON.parse(body).customers).toHaveLength(1);
  });

  it("serves REST over TLS to an HTTP/2 client, negotiating h2 by ALPN", async () => {
    const session = http2.connect(httpsUrl, { ca: credentials.cert });
    try {
      const { status, alpn } = await new Promise<{ status: unknown; alpn: unknown }>((resolve, reject) => {
        const stream = session.request({
          ":path": "/v1/customers/search?email=nobody@example.com",
          authorization: `Bearer ${TEST_API_KEY}`,
        });
        stream.on("response", (headers) =>
          resolve({ status: headers[":status"], alpn: session.alpnProtocol }),
        );
        stream.on("error", reject);
        stream.resume();
      });
      expect(alpn).toBe("h2");
      expect(status).toBe(204);
    } finally {
      session.close();
    }
  });

  it("keeps plaintext HTTP/1.1 working on the same port", async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
  });
});
