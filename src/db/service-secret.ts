import { randomBytes } from "node:crypto";
import { defineEntity, p } from "@mikro-orm/core";
import type { Knex } from "@mikro-orm/postgresql";

/** Secrets the service generates once and shares between replicas through the database. */
export const ServiceSecretEntity = defineEntity({
  name: "ServiceSecret",
  tableName: "service_secrets",
  properties: {
    name: p.string().length(64).primary(),
    value: p.string().length(128),
  },
});

/**
 * Returns the named secret from the service_secrets table, generating it on first use. Keeping it in
 * the database gives every replica the same value without extra configuration.
 */
export async function loadOrCreateServiceSecret(knex: Knex, name: string): Promise<string> {
  await knex.raw("insert into service_secrets (name, value) values (?, ?) on conflict (name) do nothing", [
    name,
    randomBytes(48).toString("base64url"),
  ]);
  const result = (await knex.raw("select value from service_secrets where name = ?", [name])) as {
    rows: { value: string }[];
  };
  const value = result.rows[0]?.value;
  if (value === undefined) throw new Error(`service secret "${name}" is missing after insert`);
  return value;
}
