// grpc.health.v1.Health on the real server, as Kubernetes' gRPC probe, Envoy and grpc-health-probe
// use it: a @grpc/grpc-js client loading the upstream health.proto, and `buf curl` through reflection.
// The database is really made unreachable (connections refused by PostgreSQL) to see NOT_SERVING.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

type HealthResponse = { status: string };
type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, response?: HealthResponse) => void,
  ): grpc.ClientUnaryCall;
  watch(request: { service: string }): grpc.ClientReadableStream<HealthResponse>;
};

let server: TestServer;
let client: HealthClient;

beforeAll(async () => {
  server = await startTestServer();
  const definition = protoLoader.loadSync(
    path.join(ROOT, "node_modules/grpc-health-check/proto/health/v1/health.proto"),
    { enums: String, defaults: true },
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: {
      health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials) => HealthClient } };
    };
  };
  client = new loaded.grpc.health.v1.Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

function check(service: string): Promise<HealthResponse> {
  return new Promise((resolve, reject) =>
    client.check({ service }, (error, response) =>
      error ? reject(error) : resolve(response as HealthResponse),
    ),
  );
}

/** Reads a Watch stream into a list, resolving `next(status)` when that status arrives. */
function watch(service: string) {
  const statuses: string[] = [];
  const waiting: { status: string; resolve: () => void }[] = [];
  const stream = client.watch({ service });
  stream.on("data", (response: HealthResponse) => {
    statuses.push(response.status);
    for (const w of waiting.filter((w) => w.status === response.status)) w.resolve();
  });
  const ended = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
  stream.on("error", () => undefined);
  const next = (status: string) =>
    new Promise<void>((resolve) => {
      if (statuses.at(-1) === status) resolve();
      else waiting.push({ status, resolve });
    });
  return { statuses, next, ended, cancel: () => stream.cancel() };
}

/** Refuses (or allows again) new connections to the test server's database and drops its open ones. */
async function setDatabaseReachable(reachable: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: inject("pgAdminUrl") });
  await admin.connect();
  try {
    const name = new URL(server.db.url).pathname.slice(1);
    await admin.query(`alter database ${admin.escapeIdentifier(name)} allow_connections ${reachable}`);
    if (!reachable) {
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", [name]);
    }
  } finally {
    await admin.end();
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("grpc.health.v1.Health over gRPC (grpc-js)", () => {
  it("answers SERVING for the server and for CustomerService, without credentials", async () => {
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("customers.v1.CustomerService")).toEqual({ status: "SERVING" });
  });

  it("answers NOT_FOUND for a service it does not have", async () => {
    await expect(check("acme.Nope")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("Watch on an unknown service streams SERVICE_UNKNOWN and stays open", async () => {
    const w = watch("acme.Nope");
    await w.next("SERVICE_UNKNOWN");
    w.cancel();
    expect((await w.ended).code).toBe(grpc.status.CANCELLED);
    expect(w.statuses).toEqual(["SERVICE_UNKNOWN"]);
  });

  it("Check and Watch follow the database: NOT_SERVING while it refuses connections, SERVING again after", async () => {
    const w = watch("");
    await w.next("SERVING");
    await setDatabaseReachable(false);
    try {
      await w.next("NOT_SERVING");
      await eventually(async () => (await check("")).status === "NOT_SERVING");
    } finally {
      await setDatabaseReachable(true);
    }
    await w.next("SERVING");
    await eventually(async () => (await check("customers.v1.CustomerService")).status === "SERVING");
    w.cancel();
    await w.ended;
    expect(w.statuses).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
  });
});

describe("grpc.health.v1.Health with buf curl", () => {
  it("Check over gRPC (h2c), schema from the server's reflection", async () => {
    const { stdout } = await run(
      "npx",
      [
        "buf",
        "curl",
        "--protocol",
        "grpc",
        "--http2-prior-knowledge",
        "-d",
        '{"service":"customers.v1.CustomerService"}',
        `${server.baseUrl}/grpc.health.v1.Health/Check`,
      ],
      { cwd: ROOT },
    );
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
  });

  it("Check over Connect and gRPC-web with the proto as schema; an unknown service exits with not_found", async () => {
    const schema = path.join(ROOT, "node_modules/grpc-health-check/proto");
    for (const protocol of ["connect", "grpcweb"]) {
      const { stdout } = await run(
        "npx",
        [
          "buf",
          "curl",
          "--protocol",
          protocol,
          "--schema",
          schema,
          "-d",
          '{"service":""}',
          `${server.baseUrl}/grpc.health.v1.Health/Check`,
        ],
        { cwd: ROOT },
      );
      expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
    }
    const failed = await run(
      "npx",
      [
        "buf",
        "curl",
        "--protocol",
        "grpc",
        "--http2-prior-knowledge",
        "-d",
        '{"service":"acme.Nope"}',
        `${server.baseUrl}/grpc.health.v1.Health/Check`,
      ],
      { cwd: ROOT },
    ).catch((error: { stderr: string }) => error);
    expect("stderr" in failed ? failed.stderr : "").toMatch(/not_found/);
  });
});

describe("shutdown", () => {
  it("Watch gets NOT_SERVING as soon as close() begins, then ends, and does not hold the close up", async () => {
    const w = watch("");
    await w.next("SERVING");
    const closed = server.app.close();
    await w.next("NOT_SERVING");
    expect((await w.ended).code).toBe(grpc.status.UNAVAILABLE);
    await closed;
    expect(w.statuses).toEqual(["SERVING", "NOT_SERVING"]);
  });
});
