import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The `customer_create_requests` table: one row per idempotency key (a CreateCustomer `request_id`
 * or REST `Idempotency-Key`), scoped to the credential that sent it, with a digest of the request so
 * a reused key with another payload is refused. Rows are pruned after their retention period.
 * No foreign key: the key row is written first, in the transaction that then inserts the customer.
 */
export const CustomerCreateRequestEntity = defineEntity({
  name: "CustomerCreateRequest",
  tableName: "customer_create_requests",
  properties: {
    // The credential's subject (see src/auth): the same key from two callers is two requests.
    scope: p.string().length(255).primary(),
    key: p.string().length(255).primary(),
    // SHA-256 of the CreateCustomerRequest without its request_id.
    requestDigest: p.blob(),
    customerId: p.uuid(),
    createdAt: p.datetime(3).index(),
  },
});

/** A row of customer_create_requests as MikroORM sees it. */
export type CustomerCreateRequestRow = InferEntity<typeof CustomerCreateRequestEntity>;
