// Before any load: the baselines must answer exactly what the service answers (same JSON for REST,
// same message for gRPC), or the comparison would be between different work.
import { isDeepStrictEqual } from "node:util";
import { toJson } from "@bufbuild/protobuf";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import type { Sample } from "../database/sample.js";
import type { GrpcClients, Servers } from "../operations.js";
import { CREATE_CUSTOMER, GET_CUSTOMER, newCustomer, restSearch, type SearchKind } from "../workloads.js";
import type { RawGrpcClient } from "./grpc-client.js";
import { createCustomerRequest, decodeCustomer, getCustomerRequest } from "./messages.js";

async function restJson(baseUrl: string, path: string, apiKey: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text === "" ? null : JSON.parse(text);
  // Page tokens are opaque and signed with each server's own secret: only their presence must agree.
  if (typeof json?.nextPageToken === "string" && json.nextPageToken !== "") json.nextPageToken = "<token>";
  return { status: response.status, location: response.headers.get("location") ?? "", json };
}

/** Drops what differs between two creates of the same input: id, timestamps, Location. */
function created(value: { status: number; location: string; json: Record<string, unknown> }) {
  const { customerId: _id, createdAt: _c, updatedAt: _u, ...rest } = value.json;
  return { status: value.status, location: value.location.replace(/[^/]+$/, "<id>"), customer: rest };
}

function same(what: string, service: unknown, baseline: unknown): void {
  if (!isDeepStrictEqual(service, baseline)) {
    throw new Error(
      `baseline differs from the service for ${what}:\n service:  ${JSON.stringify(service)}\n baseline: ${JSON.stringify(baseline)}`,
    );
  }
}

async function grpcJson(client: RawGrpcClient, method: string, request: Uint8Array, apiKey: string) {
  const outcome = await client.call(method, request, apiKey);
  if (outcome.code !== 0 || !outcome.response)
    throw new Error(`${method} failed: ${outcome.code} ${outcome.details}`);
  return toJson(CustomerSchema, decodeCustomer(outcome.response), { alwaysEmitImplicit: true }) as Record<
    string,
    unknown
  >;
}

/** Compares gets, every search kind and creates between the service and its baselines. */
export async function checkEquivalence(
  servers: Servers,
  clients: GrpcClients,
  sample: Sample,
  apiKey: string,
) {
  const rest = (server: keyof Servers, path: string, body?: unknown) =>
    restJson(servers[server].baseUrl, path, apiKey, body);
  for (const id of sample.ids.slice(0, 5)) {
    const path = `/v1/customers/id/${id}`;
    same(`GET ${path}`, await rest("service", path), await rest("fastifyPg", path));
    same(
      `gRPC GetCustomer ${id}`,
      await grpcJson(clients.service, GET_CUSTOMER, getCustomerRequest(id), apiKey),
      await grpcJson(clients.grpcJsPg, GET_CUSTOMER, getCustomerRequest(id), apiKey),
    );
  }
  for (const kind of ["email", "phone", "firstName", "address"] as SearchKind[]) {
    for (const { path } of restSearch(sample, apiKey, [kind]).requests.slice(0, 3)) {
      same(`GET ${path}`, await rest("service", path), await rest("fastifyPg", path));
    }
  }
  const input = newCustomer("zzbench.equivalence@create.example");
  same(
    "POST /v1/customers",
    created(await rest("service", "/v1/customers", input)),
    created(await rest("fastifyPg", "/v1/customers", input)),
  );
  const strip = ({ customerId: _i, createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;
  same(
    "gRPC CreateCustomer",
    strip(await grpcJson(clients.service, CREATE_CUSTOMER, createCustomerRequest(input), apiKey)),
    strip(await grpcJson(clients.grpcJsPg, CREATE_CUSTOMER, createCustomerRequest(input), apiKey)),
  );
}
