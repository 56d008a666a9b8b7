import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import type { CustomerData, CustomerRecord } from "./customer.js";
import { etagOf } from "./etag.js";

/** Reads the writable fields of a proto Customer into domain data (not yet validated). */
export function customerDataFromProto(customer: Customer): CustomerData {
  const a = customer.address;
  return {
    firstName: customer.firstName,
    lastName: customer.lastName,
    company: customer.company,
    email: customer.email,
    phone: customer.phone,
    address: a
      ? {
          line1: a.line1,
          line2: a.line2,
          city: a.city,
          state: a.state,
          postalCode: a.postalCode,
          country: a.country,
        }
      : null,
    preferredContactMethods: [...customer.preferredContactMethods],
    marketingEmailOptIn: customer.marketingEmailOptIn,
    marketingSmsOptIn: customer.marketingSmsOptIn,
  };
}

/** Builds the proto Customer returned to clients from a stored record. */
export function customerToProto(record: CustomerRecord): Customer {
  return create(CustomerSchema, {
    customerId: record.id,
    firstName: record.firstName,
    lastName: record.lastName,
    company: record.company,
    email: record.email,
    phone: record.phone,
    address: record.address ?? undefined,
    preferredContactMethods: record.preferredContactMethods,
    marketingEmailOptIn: record.marketingEmailOptIn,
    marketingSmsOptIn: record.marketingSmsOptIn,
    createdAt: timestampFromDate(record.createdAt),
    updatedAt: timestampFromDate(record.updatedAt),
    etag: etagOf(record),
  });
}
