import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126221555 } from "./Migration20261126221555.js";
import { Migration20261126230338 } from "./Migration20261126230338.js";
import { Migration20261204193249 } from "./Migration20261204193249.js";
import { Migration20261204194131 } from "./Migration20261204194131.js";
import { Migration20261204202439 } from "./Migration20261204202439.js";

/** Every migration in order; append new ones after `npm run migration:create`. */
export const migrationsList: MigrationObject[] = [
  { name: "Migration20261126221555", class: Migration20261126221555 },
  // Search-key columns become text: lower-casing can make a key longer than its source value.
  { name: "Migration20261126230338", class: Migration20261126230338 },
  // (key, created_at, id) per address search column: an address search reads its page in order.
  { name: "Migration20261204193249", class: Migration20261204193249 },
  // Idempotency keys in their own table, scoped to the credential, with a request digest.
  { name: "Migration20261204194131", class: Migration20261204194131 },
  // customers.version: every update raises it; the etag (AIP-154) is made of it.
  { name: "Migration20261204202439", class: Migration20261204202439 },
];
