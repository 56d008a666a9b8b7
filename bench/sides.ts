// A "side" is one server under one load: how to run the load generator against it, which process
// to charge CPU to, and how to check its answers. Operations pair a baseline side with a service side.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type H2loadRun, runH2load } from "./load/h2load.js";
import type { LoadStats } from "./load/load-stats.js";
import { type TemplateGroup, writeTemplates } from "./load/request-templates.js";
import { runWrk, type WrkRun } from "./load/wrk.js";
import type { ServerProcess } from "./processes/child-process.js";
import type { GrpcOutcome, RawGrpcClient } from "./protocol/grpc-client.js";
import { exactGrpcCall } from "./protocol/h2-exact.js";
import { frame } from "./protocol/messages.js";
import {
  type CheckResult,
  grpcProbe,
  type HttpReply,
  httpProbe,
  type Probe,
  type ProbeOutcome,
} from "./protocol/probes.js";
import type { BenchSettings } from "./settings.js";

/** Adds one call with h2load's exact bytes and headers to a grpc-js probe. */
function withExactCall(probe: Probe, exact: () => Promise<CheckResult>): Probe {
  return async () => {
    const outcome = await probe();
    const result = await exact();
    outcome.calls += 1;
    if ("error" in result) outcome.failures.push(result.error);
    else outcome.rows.push(result.rows);
    return outcome;
  };
}

/** One server under one load. `index` is the pair number (0 = warm-up), the same on both sides. */
export interface Side {
  label: string;
  pid: number;
  /** The load tool's command line, for the report. */
  command: string;
  run(seconds: number, index: number): Promise<LoadStats>;
  probe(index: number): Promise<ProbeOutcome>;
}

/** What every side builder needs. */
export interface SideContext {
  settings: BenchSettings;
  apiKey: string;
  /** Folder for template, body and log files. */
  scratch: string;
  runNonce: string;
}

let files = 0;
const scratchFile = (ctx: SideContext, name: string) => path.join(ctx.scratch, `${++files}-${name}`);

/** wrk over HTTP/1.1 with random requests from `groups`. */
export async function wrkSide(
  ctx: SideContext,
  server: ServerProcess,
  label: string,
  groups: TemplateGroup[],
  check: (reply: HttpReply) => CheckResult,
): Promise<Side> {
  const templatesFile = scratchFile(ctx, `${label}.templates`);
  await writeTemplates(templatesFile, groups);
  const probe = httpProbe(server.baseUrl, groups, ctx.settings.probeCalls, check);
  let runs = 0;
  const runFor = (seconds: number): WrkRun => ({
    baseUrl: server.baseUrl,
    templatesFile,
    seconds,
    threads: ctx.settings.wrkThreads,
    connections: ctx.settings.wrkConnections,
    uniquePrefix: `${ctx.runNonce}${label.replace(/[^a-z0-9]/gi, "")}r${++runs}`,
  });
  return {
    label,
    pid: server.pid,
    command: `wrk -t${ctx.settings.wrkThreads} -c${ctx.settings.wrkConnections} -d<s> -s bench/lua/requests.lua`,
    run: (seconds) => runWrk(runFor(seconds)),
    probe: () => probe(),
  };
}

/** How an h2load side sends one request shape. */
export interface H2Shape {
  /** Paths (several: sent in turn) on the server. */
  paths: string[];
  http1: boolean;
  /** Encoded gRPC request messages: run `index` posts message index % length (h2load has one body). */
  grpcMessages?: Uint8Array[];
  clients: number;
  streams: number;
  /** Fixed total rate in requests per second (split over the clients), or as fast as possible. */
  rate?: number;
  /** Count-based run (-n) instead of timing-based (-D). */
  requests?: number;
}

/** h2load over HTTP/2 (gRPC) or HTTP/1.1 (--h1), checked with `check` through fetch or grpc-js. */
export async function h2Side(
  ctx: SideContext,
  server: ServerProcess,
  label: string,
  shape: H2Shape,
  checker:
    | { kind: "grpc"; client: RawGrpcClient; method: string; check: (o: GrpcOutcome) => CheckResult }
    | { kind: "http"; groups: TemplateGroup[]; check: (reply: HttpReply) => CheckResult },
): Promise<Side> {
  const messages = shape.grpcMessages ?? [];
  const bodyFiles: string[] = [];
  for (const message of messages) {
    const file = scratchFile(ctx, `${label}.body`);
    await writeFile(file, frame(message));
    bodyFiles.push(file);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${ctx.apiKey}` };
  if (messages.length > 0) Object.assign(headers, { "content-type": "application/grpc", te: "trailers" });
  const runFor = (seconds: number, index: number): H2loadRun => ({
    urls: shape.paths.map((p) => `${server.baseUrl}${p}`),
    http1: shape.http1,
    clients: shape.clients,
    streams: shape.streams,
    ...(shape.requests !== undefined ? { requests: shape.requests } : { seconds }),
    ...(shape.rate !== undefined ? { rpsPerClient: shape.rate / shape.clients } : {}),
    ...(bodyFiles.length > 0 ? { bodyFile: bodyFiles[index % bodyFiles.length] } : {}),
    headers,
    scratchPrefix: scratchFile(ctx, `${label}.h2load`),
  });
  const message = (index: number) => messages[index % messages.length] as Uint8Array;
  const probeFor = (index: number): Probe =>
    checker.kind === "grpc"
      ? withExactCall(
          grpcProbe(
            checker.client,
            checker.method,
            [message(index)],
            ctx.apiKey,
            ctx.settings.probeCalls,
            checker.check,
          ),
          () => exactGrpcCall(server.baseUrl, shape.paths[0] as string, frame(message(index)), headers),
        )
      : httpProbe(server.baseUrl, checker.groups, ctx.settings.probeCalls, checker.check);
  const rate = shape.rate !== undefined ? ` --rps=${(shape.rate / shape.clients).toFixed(0)}` : "";
  const amount = shape.requests !== undefined ? `-n${shape.requests}` : "-D<s>";
  return {
    label,
    pid: server.pid,
    command: `h2load${shape.http1 ? " --h1" : ""} -t1 -c${shape.clients} -m${shape.http1 ? 1 : shape.streams} ${amount}${rate}${messages.length > 0 ? " -d <grpc frame>" : ""}`,
    run: (seconds, index) => runH2load(runFor(seconds, index)),
    probe: (index) => probeFor(index)(),
  };
}
