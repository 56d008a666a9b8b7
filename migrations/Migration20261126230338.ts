import { Migration } from "@mikro-orm/migrations";

export class Migration20261126230338 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "customers" alter column "email_key" type text using ("email_key"::text);`);
    this.addSql(
      `alter table "customers" alter column "first_name_key" type text using ("first_name_key"::text);`,
    );
    this.addSql(`alter table "customers" alter column "line1_key" type text using ("line1_key"::text);`);
    this.addSql(`alter table "customers" alter column "line2_key" type text using ("line2_key"::text);`);
    this.addSql(`alter table "customers" alter column "city_key" type text using ("city_key"::text);`);
    this.addSql(`alter table "customers" alter column "state_key" type text using ("state_key"::text);`);
    this.addSql(
      `alter table "customers" alter column "postal_code_key" type text using ("postal_code_key"::text);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "customers" alter column "email_key" type varchar(254) using ("email_key"::varchar(254));`,
    );
    this.addSql(
      `alter table "customers" alter column "first_name_key" type varchar(50) using ("first_name_key"::varchar(50));`,
    );
    this.addSql(
      `alter table "customers" alter column "line1_key" type varchar(100) using ("line1_key"::varchar(100));`,
    );
    this.addSql(
      `alter table "customers" alter column "line2_key" type varchar(100) using ("line2_key"::varchar(100));`,
    );
    this.addSql(
      `alter table "customers" alter column "city_key" type varchar(100) using ("city_key"::varchar(100));`,
    );
    this.addSql(
      `alter table "customers" alter column "state_key" type varchar(100) using ("state_key"::varchar(100));`,
    );
    this.addSql(
      `alter table "customers" alter column "postal_code_key" type varchar(20) using ("postal_code_key"::varchar(20));`,
    );
  }
}
