import { Migration } from "@mikro-orm/migrations";

// Idempotency keys move from customers.create_request_id (UUIDs, shared by every caller) to their own
// table, scoped to the credential, with a digest of the request, and pruned after their retention.
// Existing create_request_id values are not carried over: they name no credential, so no scoped
// lookup could find them; a retry that spans the upgrade may create a second customer.
export class Migration20261204194131 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "customer_create_requests" ("scope" varchar(255) not null, "key" varchar(255) not null, "request_digest" bytea not null, "customer_id" uuid not null, "created_at" timestamptz(3) not null, constraint "customer_create_requests_pkey" primary key ("scope", "key"));`,
    );
    this.addSql(
      `create index "customer_create_requests_created_at_index" on "customer_create_requests" ("created_at");`,
    );
    this.addSql(`alter table "customers" drop constraint "customers_create_request_id_unique";`);
    this.addSql(`alter table "customers" drop column "create_request_id";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "customer_create_requests" cascade;`);
    this.addSql(`alter table "customers" add column "create_request_id" uuid null;`);
    this.addSql(
      `alter table "customers" add constraint "customers_create_request_id_unique" unique ("create_request_id");`,
    );
  }
}
