import type { Message } from "@bufbuild/protobuf";
import type { Address, Customer } from "../../gen/customers/v1/customer_pb.js";

/** A postal address as the domain sees it: the proto Address's fields, as plain data. */
export type AddressData = Omit<Address, keyof Message>;

/**
 * The writable fields of a customer record: the proto Customer's fields but the output-only ones
 * (customer.proto's OUTPUT_ONLY annotations; test/customers/customer-mapping.test.ts keeps the two in
 * step), with `address` null when the customer has none.
 */
export type CustomerData = Omit<
  Customer,
  keyof Message | "customerId" | "createdAt" | "updatedAt" | "etag" | "address"
> & {
  address: AddressData | null;
};

/** A stored customer: its data plus the fields the server owns. */
export interface CustomerRecord extends CustomerData {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  /**
   * 1 when created, one more on every update; the etag is made of it (customer-mapping.ts). A bigint
   * column: a row would need 2^53 updates before a number could not hold it.
   */
  version: number;
}
