import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The `customers` table. Columns ending in `_key` hold searchKey() forms (NFC, trimmed, whitespace
 * collapsed, lower-cased) so every search path is a plain indexed equality or prefix match.
 */
export const CustomerEntity = defineEntity({
  name: "Customer",
  tableName: "customers",
  properties: {
    id: p.uuid().primary(),
    firstName: p.string().length(50),
    lastName: p.string().length(50),
    company: p.string().length(100).default(""),
    email: p.string().length(254).default(""),
    phone: p.string().length(16).default(""),
    addressLine1: p.string().length(100).nullable(),
    addressLine2: p.string().length(100).nullable(),
    addressCity: p.string().length(100).nullable(),
    addressState: p.string().length(100).nullable(),
    addressPostalCode: p.string().length(20).nullable(),
    addressCountry: p.string().length(2).nullable(),
    preferredContactMethods: p.array().default("{}"),
    marketingEmailOptIn: p.boolean().default(false),
    marketingSmsOptIn: p.boolean().default(false),
    // Millisecond precision matches JavaScript Dates, so page-token cursors compare exactly.
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    // AIP-155 idempotency key of the create call that made this row.
    createRequestId: p.uuid().nullable().unique(),
    emailKey: p.text().default("").index(),
    firstNameKey: p.text(),
    line1Key: p.text().nullable().fieldName("line1_key").index(),
    line2Key: p.text().nullable().fieldName("line2_key").index(),
    cityKey: p.text().nullable().index(),
    stateKey: p.text().nullable().index(),
    postalCodeKey: p.text().nullable().index(),
  },
  indexes: [
    { name: "customers_phone_index", properties: ["phone"] },
    { name: "customers_address_country_index", properties: ["addressCountry"] },
    { name: "customers_created_at_id_index", properties: ["createdAt", "id"] },
    {
      // text_pattern_ops lets `like 'prefix%'` use the index whatever the database collation.
      name: "customers_first_name_key_index",
      expression:
        'create index "customers_first_name_key_index" on "customers" ("first_name_key" text_pattern_ops)',
    },
  ],
});

/** A row of the customers table as MikroORM sees it. */
export type CustomerRow = InferEntity<typeof CustomerEntity>;
