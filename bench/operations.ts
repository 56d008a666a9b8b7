// Every operation the benchmark measures, each as a pair of sides: the service and the baseline it
// is compared with, under the same requests and the same load-generator settings.
import type { Sample } from "./database/sample.js";
import type { ServerProcess } from "./processes/child-process.js";
import type { RawGrpcClient } from "./protocol/grpc-client.js";
import { createCustomerRequest, getCustomerRequest } from "./protocol/messages.js";
import {
  expectCustomerJson,
  expectCustomerPage,
  expectGrpcCustomer,
  expectGrpcWebCustomer,
  type HttpReply,
} from "./protocol/probes.js";
import { h2Side, type Side, type SideContext, wrkSide } from "./sides.js";
import {
  CREATE_CUSTOMER,
  connectGet,
  GET_CUSTOMER,
  grpcWebGet,
  newCustomer,
  restCreate,
  restGet,
  restMix,
  restSearch,
  type SearchKind,
} from "./workloads.js";

/** How the two sides of an operation are compared. */
export type Comparison = "throughput" | "fixed-rate" | "idle";

export interface Operation {
  id: string;
  title: string;
  comparison: Comparison;
  baseline: Side;
  service: Side;
}

/** The three servers of a run. */
export interface Servers {
  service: ServerProcess;
  fastifyPg: ServerProcess;
  grpcJsPg: ServerProcess;
}

/** A grpc-js channel to each gRPC server, for the probes. */
export interface GrpcClients {
  service: RawGrpcClient;
  grpcJsPg: RawGrpcClient;
}

/** Everything operations are built from. */
export interface OperationContext extends SideContext {
  servers: Servers;
  clients: GrpcClients;
  sample: Sample;
}

/** gRPC get posts one id per run (h2load sends one body); runs rotate through these. */
const GRPC_GET_IDS = 8;

const mixCheck = (reply: HttpReply) =>
  reply.group === "create"
    ? expectCustomerJson(201)(reply)
    : reply.group === "search"
      ? expectCustomerPage(reply)
      : expectCustomerJson(200)(reply);

function grpcGetMessages(ctx: OperationContext): Uint8Array[] {
  return ctx.sample.ids.slice(0, GRPC_GET_IDS).map(getCustomerRequest);
}

async function grpcSides(
  ctx: OperationContext,
  method: string,
  messages: Uint8Array[],
  shape: { clients: number; streams: number; rate?: number; requests?: number },
): Promise<{ baseline: Side; service: Side }> {
  const side = (server: ServerProcess, client: RawGrpcClient, label: string) =>
    h2Side(
      ctx,
      server,
      label,
      { paths: [method], http1: false, grpcMessages: messages, ...shape },
      {
        kind: "grpc",
        client,
        method,
        check: expectGrpcCustomer,
      },
    );
  return {
    baseline: await side(ctx.servers.grpcJsPg, ctx.clients.grpcJsPg, "grpc-js-pg"),
    service: await side(ctx.servers.service, ctx.clients.service, "service"),
  };
}

/** The operations measured at full speed, in the order they run (searches before any create). */
export async function throughputOperations(ctx: OperationContext): Promise<Operation[]> {
  const { servers, sample, apiKey, settings } = ctx;
  const restGetBaseline = () =>
    wrkSide(ctx, servers.fastifyPg, "fastify-pg", [restGet(sample, apiKey)], expectCustomerJson(200));
  const h2 = { clients: settings.h2Clients, streams: settings.h2Streams };
  const operations: Operation[] = [
    {
      id: "rest-get",
      title: "REST get by id",
      comparison: "throughput",
      baseline: await restGetBaseline(),
      service: await wrkSide(
        ctx,
        servers.service,
        "service",
        [restGet(sample, apiKey)],
        expectCustomerJson(200),
      ),
    },
    {
      id: "grpc-get",
      title: "gRPC GetCustomer",
      comparison: "throughput",
      ...(await grpcSides(ctx, GET_CUSTOMER, grpcGetMessages(ctx), h2)),
    },
    {
      id: "connect-get",
      title: "Connect JSON GetCustomer",
      comparison: "throughput",
      baseline: await restGetBaseline(),
      service: await wrkSide(
        ctx,
        servers.service,
        "service",
        [connectGet(sample, apiKey)],
        expectCustomerJson(200),
      ),
    },
    {
      id: "grpc-web-get",
      title: "gRPC-web GetCustomer",
      comparison: "throughput",
      baseline: await restGetBaseline(),
      service: await wrkSide(
        ctx,
        servers.service,
        "service",
        [grpcWebGet(sample, apiKey)],
        expectGrpcWebCustomer,
      ),
    },
  ];
  const searches: [SearchKind, string][] = [
    ["email", "REST search by email"],
    ["phone", "REST search by phone"],
    ["firstName", "REST search by first-name prefix"],
    ["address", "REST search by address"],
  ];
  for (const [kind, title] of searches) {
    const group = restSearch(sample, apiKey, [kind]);
    operations.push({
      id: `search-${kind}`,
      title,
      comparison: "throughput",
      baseline: await wrkSide(ctx, servers.fastifyPg, "fastify-pg", [group], expectCustomerPage),
      service: await wrkSide(ctx, servers.service, "service", [group], expectCustomerPage),
    });
  }
  const create = restCreate(apiKey);
  operations.push(
    {
      id: "rest-create",
      title: "REST create",
      comparison: "throughput",
      baseline: await wrkSide(ctx, servers.fastifyPg, "fastify-pg", [create], expectCustomerJson(201)),
      service: await wrkSide(ctx, servers.service, "service", [create], expectCustomerJson(201)),
    },
    {
      id: "grpc-create",
      title: "gRPC CreateCustomer",
      comparison: "throughput",
      ...(await grpcSides(
        ctx,
        CREATE_CUSTOMER,
        [createCustomerRequest(newCustomer("zzbench.grpc@create.example"))],
        h2,
      )),
    },
    {
      id: "rest-mix",
      title: "REST mix 70/20/10 get/search/create",
      comparison: "throughput",
      baseline: await wrkSide(ctx, servers.fastifyPg, "fastify-pg", restMix(sample, apiKey), mixCheck),
      service: await wrkSide(ctx, servers.service, "service", restMix(sample, apiKey), mixCheck),
    },
  );
  return operations;
}

/** Latency at a fixed rate: half of what the baseline sustained in the matching throughput operation. */
export async function fixedRateOperations(
  ctx: OperationContext,
  rates: { restGet: number; grpcGet: number },
): Promise<Operation[]> {
  const { servers, sample, apiKey, settings } = ctx;
  const group = restGet(sample, apiKey);
  const shape = {
    paths: group.requests.map((r) => r.path),
    http1: true,
    clients: settings.fixedRateH1Clients,
    streams: 1,
    rate: rates.restGet,
  };
  const restSide = (server: ServerProcess, label: string) =>
    h2Side(ctx, server, label, shape, { kind: "http", groups: [group], check: expectCustomerJson(200) });
  return [
    {
      id: "rest-get-fixed-rate",
      title: `REST get at ${Math.round(rates.restGet)} req/s`,
      comparison: "fixed-rate",
      baseline: await restSide(servers.fastifyPg, "fastify-pg"),
      service: await restSide(servers.service, "service"),
    },
    {
      id: "grpc-get-fixed-rate",
      title: `gRPC GetCustomer at ${Math.round(rates.grpcGet)} req/s`,
      comparison: "fixed-rate",
      ...(await grpcSides(ctx, GET_CUSTOMER, grpcGetMessages(ctx), {
        clients: settings.h2Clients,
        streams: settings.h2Streams,
        rate: rates.grpcGet,
      })),
    },
  ];
}

/** Calls one after another on one HTTP/2 connection: the latency of a single call, not throughput. */
export async function idleConnectionOperation(ctx: OperationContext): Promise<Operation> {
  return {
    id: "grpc-get-idle",
    title: "gRPC GetCustomer, one call at a time on one HTTP/2 connection",
    comparison: "idle",
    ...(await grpcSides(ctx, GET_CUSTOMER, grpcGetMessages(ctx), {
      clients: 1,
      streams: 1,
      requests: ctx.settings.idleCalls,
    })),
  };
}
