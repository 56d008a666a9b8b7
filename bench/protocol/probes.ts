// Correctness checks run before and after every measured run: load tools count HTTP statuses only,
// but a gRPC or gRPC-web error arrives with HTTP 200 and REST "not found" is 204, so a few calls
// replay the run's own requests and check what the response says.
import { randomBytes } from "node:crypto";
import { bodyWithToken, type TemplateGroup } from "../load/request-templates.js";
import type { GrpcOutcome, RawGrpcClient } from "./grpc-client.js";
import { decodeCustomer, readGrpcWebBody } from "./messages.js";

/** Calls made, what went wrong, and (for searches) customers per response. */
export interface ProbeOutcome {
  calls: number;
  failures: string[];
  rows: number[];
}

export type Probe = () => Promise<ProbeOutcome>;

/** One HTTP response as a check sees it. */
export interface HttpReply {
  group: string;
  status: number;
  headers: Headers;
  body: Buffer;
}

/** An error message, or the customers the response held. */
export type CheckResult = { error: string } | { rows: number };

/** Replays `calls` requests from `groups` (every group in turn) with fetch and checks each reply. */
export function httpProbe(
  baseUrl: string,
  groups: readonly TemplateGroup[],
  calls: number,
  check: (reply: HttpReply) => CheckResult,
): Probe {
  const prefix = `probe${randomBytes(4).toString("hex")}`;
  let counter = 0;
  return async () => {
    const outcome: ProbeOutcome = { calls, failures: [], rows: [] };
    for (let i = 0; i < calls; i++) {
      const group = groups[i % groups.length] as TemplateGroup;
      const template = group.requests[Math.floor(Math.random() * group.requests.length)];
      if (!template) throw new Error(`template group ${group.name} is empty`);
      const token = `${prefix}n${++counter}`;
      try {
        const response = await fetch(`${baseUrl}${template.path.replaceAll("{u}", token)}`, {
          method: template.method,
          headers: group.headers,
          body: template.method === "POST" ? bodyWithToken(template, token) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        const body = Buffer.from(await response.arrayBuffer());
        record(
          outcome,
          check({ group: group.name, status: response.status, headers: response.headers, body }),
        );
      } catch (error) {
        outcome.failures.push(`${template.method} ${template.path}: ${String(error)}`);
      }
    }
    return outcome;
  };
}

/** Makes `calls` gRPC calls with the given encoded requests (in turn) and checks each outcome. */
export function grpcProbe(
  client: RawGrpcClient,
  method: string,
  requests: readonly Uint8Array[],
  apiKey: string,
  calls: number,
  check: (outcome: GrpcOutcome) => CheckResult,
): Probe {
  return async () => {
    const outcome: ProbeOutcome = { calls, failures: [], rows: [] };
    for (let i = 0; i < calls; i++) {
      record(outcome, check(await client.call(method, requests[i % requests.length] as Uint8Array, apiKey)));
    }
    return outcome;
  };
}

function record(outcome: ProbeOutcome, result: CheckResult): void {
  if ("error" in result) outcome.failures.push(result.error);
  else outcome.rows.push(result.rows);
}

function json(reply: HttpReply): Record<string, unknown> | undefined {
  try {
    return JSON.parse(reply.body.toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function describe(reply: HttpReply): string {
  return `HTTP ${reply.status} ${reply.body.toString("utf8").slice(0, 200)}`;
}

/** REST or Connect JSON: the expected status and a Customer with an id. */
export function expectCustomerJson(status: number): (reply: HttpReply) => CheckResult {
  return (reply) => {
    const body = json(reply);
    if (reply.status !== status || typeof body?.customerId !== "string" || body.customerId === "") {
      return { error: `expected ${status} with a customer, got ${describe(reply)}` };
    }
    if (status === 201 && !reply.headers.get("location")?.startsWith("/v1/customers/id/")) {
      return { error: "201 without a Location header" };
    }
    return { rows: 1 };
  };
}

/** REST search: 200 with at least one customer (every search term comes from a stored customer). */
export function expectCustomerPage(reply: HttpReply): CheckResult {
  const customers = json(reply)?.customers;
  if (reply.status !== 200 || !Array.isArray(customers) || customers.length === 0) {
    return { error: `expected 200 with customers, got ${describe(reply)}` };
  }
  return { rows: customers.length };
}

/** gRPC-web: HTTP 200, grpc-status 0 and a Customer message. */
export function expectGrpcWebCustomer(reply: HttpReply): CheckResult {
  const response = readGrpcWebBody(reply.body, reply.headers);
  if (reply.status !== 200 || response.grpcStatus !== "0" || !response.message) {
    return {
      error: `expected grpc-status 0 with a customer, got HTTP ${reply.status} grpc-status ${response.grpcStatus}`,
    };
  }
  return decodeCustomer(response.message).customerId === "" ? { error: "customer without id" } : { rows: 1 };
}

/** gRPC: status 0 (OK) and a Customer message. */
export function expectGrpcCustomer(outcome: GrpcOutcome): CheckResult {
  if (outcome.code !== 0 || !outcome.response) {
    return { error: `expected grpc-status 0, got ${outcome.code} ${outcome.details}` };
  }
  return decodeCustomer(outcome.response).customerId === "" ? { error: "customer without id" } : { rows: 1 };
}
