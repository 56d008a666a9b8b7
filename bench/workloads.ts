// The requests of every operation, built from the sampled customers: the same requests go to the
// service and to its baseline, and the probes replay them.
import type { JsonObject } from "@bufbuild/protobuf";
import type { Sample } from "./database/sample.js";
import type { TemplateGroup } from "./load/request-templates.js";
import { frame, getCustomerRequest } from "./protocol/messages.js";

export const GET_CUSTOMER = "/customers.v1.CustomerService/GetCustomer";
export const CREATE_CUSTOMER = "/customers.v1.CustomerService/CreateCustomer";

/**
 * The customer every create sends. Its name and phone (exchange 955) are outside the seeded ranges,
 * so creates made during a run never change what the searches find.
 */
export function newCustomer(email: string): JsonObject {
  return {
    firstName: "Zzbench",
    lastName: "Create",
    email,
    phone: "+1 415 955 0100",
    address: {
      line1: "1 Benchmark Way",
      city: "San Francisco",
      state: "CA",
      postalCode: "94105",
      country: "US",
    },
    preferredContactMethods: ["EMAIL", "SMS"],
    marketingEmailOptIn: true,
  };
}

const auth = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

export function restGet(sample: Sample, apiKey: string): TemplateGroup {
  return {
    name: "get",
    weight: 1,
    headers: auth(apiKey),
    requests: sample.ids.map((id) => ({ method: "GET", path: `/v1/customers/id/${id}` })),
  };
}

export function connectGet(sample: Sample, apiKey: string): TemplateGroup {
  return {
    name: "connect-get",
    weight: 1,
    headers: { ...auth(apiKey), "content-type": "application/json", "connect-protocol-version": "1" },
    requests: sample.ids.map((id) => ({
      method: "POST",
      path: GET_CUSTOMER,
      body: JSON.stringify({ customerId: id }),
    })),
  };
}

export function grpcWebGet(sample: Sample, apiKey: string): TemplateGroup {
  return {
    name: "grpc-web-get",
    weight: 1,
    headers: { ...auth(apiKey), "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    requests: sample.ids.map((id) => ({
      method: "POST",
      path: GET_CUSTOMER,
      body: frame(getCustomerRequest(id)),
    })),
  };
}

/** REST creates with a unique email each ("{u}" is replaced per request). */
export function restCreate(apiKey: string): TemplateGroup {
  return {
    name: "create",
    weight: 1,
    headers: { ...auth(apiKey), "content-type": "application/json" },
    requests: [
      {
        method: "POST",
        path: "/v1/customers",
        body: JSON.stringify(newCustomer("zzbench.{u}@create.example")),
      },
    ],
  };
}

/** The four searches, each driven by terms of stored customers. */
export type SearchKind = "email" | "phone" | "firstName" | "address";

function searchPaths(sample: Sample, kind: SearchKind): string[] {
  const q = (params: Record<string, string>) =>
    Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join("&");
  switch (kind) {
    case "email":
      return sample.emails.map((email) => `/v1/customers/search?${q({ email })}`);
    case "phone":
      return sample.phones.map((phone) => `/v1/customers/search?${q({ phone })}`);
    case "firstName":
      return sample.firstNames.map((firstName) => `/v1/customers/search?${q({ firstName })}`);
    case "address":
      return sample.addresses.map((a) => `/v1/customers/by-address?${q({ ...a })}`);
  }
}

export function restSearch(sample: Sample, apiKey: string, kinds: readonly SearchKind[]): TemplateGroup {
  return {
    name: "search",
    weight: 1,
    headers: auth(apiKey),
    requests: kinds.flatMap((kind) =>
      searchPaths(sample, kind).map((path) => ({ method: "GET" as const, path })),
    ),
  };
}

/** 70 % gets, 20 % searches (all four kinds), 10 % creates. */
export function restMix(sample: Sample, apiKey: string): TemplateGroup[] {
  return [
    { ...restGet(sample, apiKey), weight: 70 },
    { ...restSearch(sample, apiKey, ["email", "phone", "firstName", "address"]), weight: 20 },
    { ...restCreate(apiKey), weight: 10 },
  ];
}
