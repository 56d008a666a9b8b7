import { Migration } from "@mikro-orm/migrations";

export class Migration20261126221555 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "customers" ("id" uuid not null, "first_name" varchar(50) not null, "last_name" varchar(50) not null, "company" varchar(100) not null default '', "email" varchar(254) not null default '', "phone" varchar(16) not null default '', "address_line1" varchar(100) null, "address_line2" varchar(100) null, "address_city" varchar(100) null, "address_state" varchar(100) null, "address_postal_code" varchar(20) null, "address_country" varchar(2) null, "preferred_contact_methods" text[] not null default '{}', "marketing_email_opt_in" boolean not null default false, "marketing_sms_opt_in" boolean not null default false, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "create_request_id" uuid null, "email_key" varchar(254) not null default '', "first_name_key" varchar(50) not null, "line1_key" varchar(100) null, "line2_key" varchar(100) null, "city_key" varchar(100) null, "state_key" varchar(100) null, "postal_code_key" varchar(20) null, constraint "customers_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "customers" add constraint "customers_create_request_id_unique" unique ("create_request_id");`,
    );
    this.addSql(`create index "customers_email_key_index" on "customers" ("email_key");`);
    this.addSql(`create index "customers_line1_key_index" on "customers" ("line1_key");`);
    this.addSql(`create index "customers_line2_key_index" on "customers" ("line2_key");`);
    this.addSql(`create index "customers_city_key_index" on "customers" ("city_key");`);
    this.addSql(`create index "customers_state_key_index" on "customers" ("state_key");`);
    this.addSql(`create index "customers_postal_code_key_index" on "customers" ("postal_code_key");`);
    this.addSql(`create index "customers_phone_index" on "customers" ("phone");`);
    this.addSql(`create index "customers_address_country_index" on "customers" ("address_country");`);
    this.addSql(`create index "customers_created_at_id_index" on "customers" ("created_at", "id");`);
    this.addSql(
      `create index "customers_first_name_key_index" on "customers" ("first_name_key" text_pattern_ops);`,
    );

    this.addSql(
      `create table "service_secrets" ("name" varchar(64) not null, "value" varchar(128) not null, constraint "service_secrets_pkey" primary key ("name"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "customers" cascade;`);

    this.addSql(`drop table if exists "service_secrets" cascade;`);
  }
}
