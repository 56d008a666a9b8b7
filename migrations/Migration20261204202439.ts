import { Migration } from "@mikro-orm/migrations";

// Customers get a version, raised by every update, that their etag (AIP-154) is made of. Existing rows
// start at 1, as new ones do; adding a column with a constant default rewrites no rows in PostgreSQL 11+.
export class Migration20261204202439 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "customers" add column "version" bigint not null default 1;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "customers" drop column "version";`);
  }
}
