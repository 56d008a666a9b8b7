import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import type { Scope } from "./scope.js";

/**
 * The scope each CustomerService RPC needs, keyed by the method's name in the generated service
 * (`CustomerService.method.<name>`). The type makes a new RPC without a rule a compile error, and
 * requiredScopesOf() makes it a start-up error too, so no RPC is ever served unprotected.
 */
export const CUSTOMER_SERVICE_SCOPES = {
  getCustomer: "customers.read",
  searchCustomers: "customers.read",
  searchCustomersByAddress: "customers.read",
  createCustomer: "customers.write",
  updateCustomer: "customers.write",
} as const satisfies Record<keyof typeof CustomerService.method, Scope>;

/** The scope each method of a service needs, by method descriptor (the one connect-es hands interceptors). */
export type RequiredScopes = ReadonlyMap<DescMethod, Scope>;

/**
 * Pairs every method of `service` with its rule in `rules` (by localName), throwing when a method has
 * no rule or a rule names no method (a typo would otherwise leave its method unprotected).
 */
export function requiredScopesOf(
  service: DescService,
  rules: Readonly<Partial<Record<string, Scope>>>,
): RequiredScopes {
  const unruled = service.methods.filter((method) => rules[method.localName] === undefined);
  const methodNames = new Set(service.methods.map((method) => method.localName));
  const stray = Object.keys(rules).filter((name) => !methodNames.has(name));
  if (unruled.length > 0 || stray.length > 0) {
    const parts = [
      ...(unruled.length > 0 ? [`no scope rule for ${unruled.map((m) => m.name).join(", ")}`] : []),
      ...(stray.length > 0 ? [`rules for methods it does not have: ${stray.join(", ")}`] : []),
    ];
    throw new Error(`${service.typeName}: ${parts.join("; ")} (src/auth/method-scopes.ts)`);
  }
  return new Map(service.methods.map((method) => [method, rules[method.localName] as Scope]));
}

/** The scope rules of CustomerService, checked as above (called when the app is built). */
export function customerServiceScopes(): RequiredScopes {
  return requiredScopesOf(CustomerService, CUSTOMER_SERVICE_SCOPES);
}
