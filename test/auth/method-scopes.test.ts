// The scope table: every CustomerService RPC has exactly one rule, reads need customers.read and
// writes customers.write, and a service method without a rule stops the app from being built.
import { describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import {
  CUSTOMER_SERVICE_SCOPES,
  customerServiceScopes,
  requiredScopesOf,
} from "../../src/auth/method-scopes.js";

describe("the CustomerService scope rules", () => {
  it("name the scope of every RPC by its method descriptor", () => {
    const rules = customerServiceScopes();
    expect(Object.fromEntries([...rules].map(([method, scope]) => [method.name, scope]))).toEqual({
      CreateCustomer: "customers.write",
      UpdateCustomer: "customers.write",
      GetCustomer: "customers.read",
      SearchCustomers: "customers.read",
      SearchCustomersByAddress: "customers.read",
    });
    for (const method of CustomerService.methods) expect(rules.get(method)).toBeDefined();
  });

  it("refuse a service with a method that has no rule, naming it", () => {
    const { updateCustomer: _left, ...withoutUpdate } = CUSTOMER_SERVICE_SCOPES;
    expect(() => requiredScopesOf(CustomerService, withoutUpdate)).toThrow(
      "customers.v1.CustomerService: no scope rule for UpdateCustomer (src/auth/method-scopes.ts)",
    );
    expect(() => requiredScopesOf(CustomerService, {})).toThrow(
      /no scope rule for CreateCustomer, UpdateCustomer, GetCustomer, SearchCustomers, SearchCustomersByAddress/,
    );
  });

  it("refuse a rule for a method the service does not have (a typo would leave its method open)", () => {
    expect(() =>
      requiredScopesOf(CustomerService, { ...CUSTOMER_SERVICE_SCOPES, deleteCustomer: "customers.write" }),
    ).toThrow(/rules for methods it does not have: deleteCustomer/);
  });
});
