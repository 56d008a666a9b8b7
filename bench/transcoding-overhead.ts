// Measures GetCustomer over HTTP/1.1 three ways on the same server and database:
//   REST through the generic transcoder, a hand-written Fastify route doing the same work
//   (credentials, id check, repository read, proto3 JSON), and Connect JSON.
// The load generator (autocannon) runs in a child process. Usage: npm run bench:transcoding
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { toJson } from "@bufbuild/protobuf";
import { validate as isUuid } from "uuid";
import { CustomerSchema } from "../gen/customers/v1/customer_pb.js";
import { buildApp } from "../src/app.js";
import { createApiKeyVerifier } from "../src/auth/api-key-verifier.js";
import { customerToProto } from "../src/customers/customer-mapping.js";
import { startBenchDatabase } from "./support.js";

const run = promisify(execFile);
const KEY = "bench-key-0123456789abcdef";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

const db = await startBenchDatabase(1000);
const app = await buildApp({ knex: db.knex, apiKeys: [KEY], pageTokenSecret: "b".repeat(40) });
const verify = createApiKeyVerifier([KEY]);
app.get<{ Params: { id: string } }>("/bench/customers/:id", async (req, reply) => {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!token || !verify(token)) return reply.code(401).send({ error: "unauthenticated" });
  if (!isUuid(req.params.id)) return reply.code(400).send({ error: "bad id" });
  const record = await db.repository.findById(req.params.id);
  if (!record) return reply.code(204).send();
  return reply
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify(toJson(CustomerSchema, customerToProto(record), { alwaysEmitImplicit: true })));
});
await app.listen({ host: "127.0.0.1", port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const id = db.ids[500];

async function load(name: string, url: string, extra: string[] = []) {
  const args = [
    "-c",
    String(connections),
    "-d",
    String(seconds),
    "-j",
    "-H",
    `authorization=Bearer ${KEY}`,
    ...extra,
    url,
  ];
  await run("node_modules/.bin/autocannon", ["-c", "8", "-d", "2", ...args.slice(4)]); // warm-up
  const { stdout } = await run("node_modules/.bin/autocannon", args, { maxBuffer: 1 << 24 });
  const r = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  console.log(
    `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`,
  );
  return r.requests.average;
}

console.log(`GetCustomer, HTTP/1.1, ${connections} connections, ${seconds} s each, node ${process.version}`);
// Alternate the two routes being compared, so warm-up and drift do not favour either.
let handWritten = 0;
let rest = 0;
for (let round = 0; round < 2; round++) {
  rest += (await load("REST via transcoder", `${base}/v1/customers/id/${id}`)) / 2;
  handWritten += (await load("hand-written Fastify route", `${base}/bench/customers/${id}`)) / 2;
}
const connect = await load("Connect JSON", `${base}/customers.v1.CustomerService/GetCustomer`, [
  "-m",
  "POST",
  "-H",
  "content-type=application/json",
  "-b",
  JSON.stringify({ customerId: id }),
]);
console.log(
  `transcoder overhead vs hand-written: ${(((handWritten - rest) / handWritten) * 100).toFixed(1)}% fewer req/s`,
);
console.log(
  `Connect JSON vs hand-written: ${(((handWritten - connect) / handWritten) * 100).toFixed(1)}% fewer req/s`,
);
await app.close();
await db.stop();
