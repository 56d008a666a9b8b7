import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126221555 } from "./Migration20261126221555.js";

/** Every migration in order; append new ones after `npm run migration:create`. */
export const migrationsList: MigrationObject[] = [
  { name: "Migration20261126221555", class: Migration20261126221555 },
];
