import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { v7 as uuidv7 } from "uuid";
import type { Customer } from "../../gen/customers/v1/customer_pb.js";
import {
  type CustomerService,
  GetCustomerRequestSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { ApiError } from "../errors/api-error.js";
import { type FieldViolation, prefixViolations } from "../errors/field-violation.js";
import { requestContextKey } from "../observability/request-context.js";
import type { CustomerRecord } from "./customer.js";
import { customerDataFromProto, customerToProto } from "./customer-mapping.js";
import type { CustomerRepository } from "./customer-repository.js";
import { ETAG_HEADER, etagOf, updatePreconditionsOf } from "./etag.js";
import { IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyOf, requestDigestOf } from "./idempotency-key.js";
import type { PageTokenCodec } from "./page-token.js";
import { contractViolations } from "./proto-rules.js";
import { type SearchPlan, searchRequestFromAddress, searchRequestFromContact } from "./search-request.js";
import { applyUpdateMask, resolveUpdateMask } from "./update-mask.js";
import { type ValidateCustomerOptions, validateCustomer } from "./validate-customer.js";

/** What the customer service needs from the rest of the process. */
export interface CustomerServiceDeps {
  repository: CustomerRepository;
  pageTokens: PageTokenCodec;
  validation: ValidateCustomerOptions;
  /** Injected so tests can control timestamps. */
  now?: () => Date;
}

/**
 * The CustomerService RPC handlers: translate proto to domain, validate, delegate to the repository
 * and translate back. Every protocol (gRPC, gRPC-web, Connect, REST) runs these same functions.
 */
export function createCustomerService(deps: CustomerServiceDeps): ServiceImpl<typeof CustomerService> {
  const now = deps.now ?? (() => new Date());

  async function search(plan: SearchPlan, signal: AbortSignal) {
    const rows = await plan.run(deps.repository, signal);
    const hasMore = rows.length > plan.pageSize;
    const page = hasMore ? rows.slice(0, plan.pageSize) : rows;
    const last = page.at(-1);
    return {
      customers: page.map(customerToProto),
      nextPageToken: hasMore && last ? deps.pageTokens.encode(plan.criteria, last) : "",
    };
  }

  return {
    async createCustomer(req, context) {
      const violations: FieldViolation[] = [];
      if (!req.customer) throw ApiError.invalidArgument([required("customer", "customer is required.")]);
      if (req.customer.customerId !== "") {
        violations.push({
          field: "customer.customer_id",
          code: "NOT_ALLOWED",
          description: "customerId is assigned by the server; leave it out when creating a customer.",
        });
      }
      const idempotency = idempotencyKeyOf(req, context.requestHeader);
      if (idempotency.violation) violations.push(idempotency.violation);
      const checked = validateCustomer(customerDataFromProto(req.customer), deps.validation);
      violations.push(...prefixViolations("customer", checked.violations));
      if (violations.length > 0) throw ApiError.invalidArgument(violations);
      const at = now();
      const record: CustomerRecord = {
        ...checked.customer,
        id: uuidv7(),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      if (idempotency.key === undefined)
        return answer(await deps.repository.insert(record, context.signal), context);
      // Keys are the caller's own: another credential's retry with the same key is another request.
      const scope = context.values.get(requestContextKey)?.subject ?? "";
      const once = await deps.repository.insertOnce(
        record,
        { scope, key: idempotency.key, requestDigest: requestDigestOf(req) },
        context.signal,
      );
      if (once.outcome === "key-reused") {
        throw ApiError.invalidArgument([
          {
            field: "request_id",
            code: "NOT_ALLOWED",
            description: "This idempotency key was already used for a different request; use a new key.",
          },
        ]);
      }
      if (once.outcome === "replayed") context.responseHeader.set(IDEMPOTENT_REPLAYED_HEADER, "true");
      return answer(once.record, context);
    },

    async updateCustomer(req, context) {
      // customer_id's rules; the customer is checked after the mask is applied (customer_service.proto).
      const violations = contractViolations(UpdateCustomerRequestSchema, req);
      if (!req.customer) {
        violations.push(required("customer", "customer is required."));
        throw ApiError.invalidArgument(violations);
      }
      if (req.customer.customerId !== "" && req.customer.customerId !== req.customerId) {
        violations.push({
          field: "customer.customer_id",
          code: "NOT_ALLOWED",
          description: "customer.customerId must be empty or equal to the customerId being updated.",
        });
      }
      const mask = resolveUpdateMask(req.updateMask, req.customer);
      if ("violations" in mask) violations.push(...mask.violations);
      const preconditions = updatePreconditionsOf(req, context.requestHeader);
      if ("violation" in preconditions) violations.push(preconditions.violation);
      if (violations.length > 0 || "violations" in mask || "violation" in preconditions) {
        throw ApiError.invalidArgument(violations);
      }
      const patch = customerDataFromProto(req.customer);
      const updated = await deps.repository.update(
        req.customerId,
        (current) => {
          // Under the row lock (AIP-154): no other update can slip in between this check and the write.
          preconditions.check(etagOf(current));
          const checked = validateCustomer(applyUpdateMask(current, patch, mask.mask), deps.validation);
          if (checked.violations.length > 0) {
            throw ApiError.invalidArgument(prefixViolations("customer", checked.violations));
          }
          return checked.customer;
        },
        now(),
        context.signal,
      );
      if (!updated) {
        throw ApiError.invalidArgument([
          {
            field: "customer_id",
            code: "NOT_FOUND",
            description: `No customer has customerId ${req.customerId}.`,
          },
        ]);
      }
      return answer(updated, context);
    },

    async getCustomer(req, context) {
      const violations = contractViolations(GetCustomerRequestSchema, req);
      if (violations.length > 0) throw ApiError.invalidArgument(violations);
      const record = await deps.repository.findById(req.customerId, context.signal);
      if (!record) throw ApiError.notFound(`No customer has customerId ${req.customerId}.`);
      // The REST transcoder answers If-None-Match from this header (304); other protocols just get it.
      return answer(record, context);
    },

    async searchCustomers(req, context) {
      return search(searchRequestFromContact(req, deps.pageTokens, deps.validation), context.signal);
    },

    async searchCustomersByAddress(req, context) {
      return search(searchRequestFromAddress(req, deps.pageTokens), context.signal);
    },
  };
}

/** The customer a call returns, with its etag also in the `etag` response header (REST `ETag`). */
function answer(record: CustomerRecord, context: HandlerContext): Customer {
  const customer = customerToProto(record);
  context.responseHeader.set(ETAG_HEADER, customer.etag);
  return customer;
}

function required(field: string, description: string): FieldViolation {
  return { field, code: "REQUIRED", description };
}
