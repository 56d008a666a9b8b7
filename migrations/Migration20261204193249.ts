import { Migration } from "@mikro-orm/migrations";

export class Migration20261204193249 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "customers_line1_key_created_at_id_index" on "customers" ("line1_key", "created_at", "id");`,
    );
    this.addSql(
      `create index "customers_line2_key_created_at_id_index" on "customers" ("line2_key", "created_at", "id");`,
    );
    this.addSql(
      `create index "customers_city_key_created_at_id_index" on "customers" ("city_key", "created_at", "id");`,
    );
    this.addSql(
      `create index "customers_state_key_created_at_id_index" on "customers" ("state_key", "created_at", "id");`,
    );
    this.addSql(
      `create index "customers_postal_code_key_created_at_id_index" on "customers" ("postal_code_key", "created_at", "id");`,
    );
    this.addSql(
      `create index "customers_address_country_created_at_id_index" on "customers" ("address_country", "created_at", "id");`,
    );
    // Each single-column index is a prefix of its replacement above.
    for (const column of [
      "line1_key",
      "line2_key",
      "city_key",
      "state_key",
      "postal_code_key",
      "address_country",
    ]) {
      this.addSql(`drop index "customers_${column}_index";`);
    }
  }

  override async down(): Promise<void> {
    for (const column of [
      "line1_key",
      "line2_key",
      "city_key",
      "state_key",
      "postal_code_key",
      "address_country",
    ]) {
      this.addSql(`create index "customers_${column}_index" on "customers" ("${column}");`);
    }
    this.addSql(`drop index "customers_line1_key_created_at_id_index";`);
    this.addSql(`drop index "customers_line2_key_created_at_id_index";`);
    this.addSql(`drop index "customers_city_key_created_at_id_index";`);
    this.addSql(`drop index "customers_state_key_created_at_id_index";`);
    this.addSql(`drop index "customers_postal_code_key_created_at_id_index";`);
    this.addSql(`drop index "customers_address_country_created_at_id_index";`);
  }
}
