// One client per protocol of the service, all with the same five calls, each answer reduced to a
// code: "OK", the RPC's error code (UNAVAILABLE, …) or, for REST, "HTTP <status>". Every call is
// bounded, so a hung call shows up as an error instead of stalling a worker.
import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { codeName } from "../../src/errors/code-name.js";

/** The four ways in. */
export const PROTOCOLS = ["REST", "gRPC", "gRPC-web", "Connect"] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

/** How one call ended. */
export interface Answer {
  code: string;
  customerId?: string;
}

/** A customer as a create sends it (proto3 JSON names, which are also the message fields). */
export interface CustomerInput {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  address: { line1: string; city: string; state: string; postalCode: string; country: string };
}

/** The calls the load test mixes. */
export interface ProtocolClient {
  create(customer: CustomerInput): Promise<Answer>;
  get(customerId: string): Promise<Answer>;
  update(customerId: string, company: string): Promise<Answer>;
  searchByEmail(email: string): Promise<Answer>;
  searchByAddress(city: string, postalCode: string): Promise<Answer>;
}

const CALL_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 10;

/** A client speaking `protocol` to the service at `baseUrl` with `apiKey`. */
export function protocolClient(protocol: ProtocolName, baseUrl: string, apiKey: string): ProtocolClient {
  const auth = { authorization: `Bearer ${apiKey}` };
  switch (protocol) {
    case "REST":
      return restClient(baseUrl, auth);
    case "gRPC":
      return rpcClient(createGrpcTransport({ baseUrl }), auth);
    case "gRPC-web":
      return rpcClient(createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }), auth);
    case "Connect":
      // JSON over HTTP/1.1: what a browser or curl sends.
      return rpcClient(createConnectTransport({ baseUrl, httpVersion: "1.1" }), auth);
  }
}

function rpcClient(transport: Transport, headers: Record<string, string>): ProtocolClient {
  const client = createClient(CustomerService, transport);
  const options = { headers, timeoutMs: CALL_TIMEOUT_MS };
  const answer = async (call: Promise<object>): Promise<Answer> => {
    try {
      const result = await call;
      return { code: "OK", customerId: "customerId" in result ? String(result.customerId) : undefined };
    } catch (error) {
      return { code: codeName(ConnectError.from(error).code) };
    }
  };
  return {
    create: (customer) => answer(client.createCustomer({ customer }, options)),
    get: (customerId) => answer(client.getCustomer({ customerId }, options)),
    update: (customerId, company) =>
      answer(
        client.updateCustomer(
          { customerId, customer: { company }, updateMask: { paths: ["company"] } },
          options,
        ),
      ),
    searchByEmail: (email) => answer(client.searchCustomers({ email, pageSize: PAGE_SIZE }, options)),
    searchByAddress: (city, postalCode) =>
      answer(client.searchCustomersByAddress({ city, postalCode, pageSize: PAGE_SIZE }, options)),
  };
}

function restClient(baseUrl: string, headers: Record<string, string>): ProtocolClient {
  const send = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const text = await res.text();
      // 204 is REST's "nothing found" for a search: a success.
      if (res.status === 200 || res.status === 201 || res.status === 204) {
        const customerId = text && (JSON.parse(text) as { customerId?: string }).customerId;
        return { code: "OK", customerId: customerId || undefined };
      }
      return { code: `HTTP ${res.status}` };
    } catch (error) {
      return { code: error instanceof Error && error.name === "TimeoutError" ? "TIMEOUT" : "NETWORK" };
    }
  };
  const query = (params: Record<string, string | number>) =>
    new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return {
    create: (customer) => send("POST", "/v1/customers", customer),
    get: (customerId) => send("GET", `/v1/customers/id/${customerId}`),
    update: (customerId, company) => send("PATCH", `/v1/customers/${customerId}`, { company }),
    searchByEmail: (email) => send("GET", `/v1/customers/search?${query({ email, pageSize: PAGE_SIZE })}`),
    searchByAddress: (city, postalCode) =>
      send("GET", `/v1/customers/by-address?${query({ city, postalCode, pageSize: PAGE_SIZE })}`),
  };
}
