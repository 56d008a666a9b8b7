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
    // 1 on insert, one more on every update, under the update's row lock: the etag (AIP-154) is made
    // of it. Not MikroORM's .version(): the repository's own SQL writes it, the ORM never does.
    version: p.bigint("number").default(1),
    emailKey: p.text().default("").index(),
    firstNameKey: p.text(),
    line1Key: p.text().nullable().fieldName("line1_key"),
    line2Key: p.text().nullable().fieldName("line2_key"),
    cityKey: p.text().nullable(),
    stateKey: p.text().nullable(),
    postalCodeKey: p.text().nullable(),
  },
  indexes: [
    { name: "customers_phone_index", properties: ["phone"] },
    { name: "customers_created_at_id_index", properties: ["createdAt", "id"] },
    // Address searches are equalities ordered by (created_at, id). With the key first, a page is one
    // index range read in result order that stops at the limit, even when the matching customers are
    // few or all recent (walking the (created_at, id) index and filtering could read the whole table
    // first), and whatever number of rows the planner expects for the value, so prepared statements'
    // generic plans read a page too. They replace single-column indexes, which the planner combined
    // (bitmap AND) into reading every row of the city for a city + country search.
    { name: "customers_line1_key_created_at_id_index", properties: ["line1Key", "createdAt", "id"] },
    { name: "customers_line2_key_created_at_id_index", properties: ["line2Key", "createdAt", "id"] },
    { name: "customers_city_key_created_at_id_index", properties: ["cityKey", "createdAt", "id"] },
    { name: "customers_state_key_created_at_id_index", properties: ["stateKey", "createdAt", "id"] },
    {
      name: "customers_postal_code_key_created_at_id_index",
      properties: ["postalCodeKey", "createdAt", "id"],
    },
    {
      name: "customers_address_country_created_at_id_index",
      properties: ["addressCountry", "createdAt", "id"],
    },
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
