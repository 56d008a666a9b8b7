// Reads back a random sample of seeded customers to drive the load (ids, emails, phones, first
// names, addresses), and checks on it that the seeded search keys are what the service computes.
import pg from "pg";
import { searchKey } from "../../src/customers/search-key.js";

/** An address to search by, as a client would type it (the stored, not the key, form). */
export interface SampleAddress {
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

/** Search terms and ids taken from stored customers, so every get and search finds something. */
export interface Sample {
  ids: string[];
  emails: string[];
  phones: string[];
  firstNames: string[];
  addresses: SampleAddress[];
}

interface SampleRow {
  id: string;
  email: string;
  email_key: string;
  phone: string;
  first_name: string;
  first_name_key: string;
  address_line1: string | null;
  line1_key: string | null;
  address_line2: string | null;
  line2_key: string | null;
  address_city: string | null;
  city_key: string | null;
  address_state: string | null;
  state_key: string | null;
  address_postal_code: string | null;
  postal_code_key: string | null;
  address_country: string | null;
}

function checkKeys(row: SampleRow): void {
  const pairs: [string | null, string | null][] = [
    [row.email, row.email_key],
    [row.first_name, row.first_name_key],
    [row.address_line1, row.line1_key],
    [row.address_line2, row.line2_key],
    [row.address_city, row.city_key],
    [row.address_state, row.state_key],
    [row.address_postal_code, row.postal_code_key],
  ];
  for (const [value, key] of pairs) {
    if ((value === null ? null : searchKey(value)) !== key) {
      throw new Error(
        `seeded key ${JSON.stringify(key)} is not searchKey(${JSON.stringify(value)}) (row ${row.id})`,
      );
    }
  }
}

/** Reads `size` random customers (fewer when the table is smaller). */
export async function readSample(url: string, size: number): Promise<Sample> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<SampleRow>(
      `select id, email, email_key, phone, first_name, first_name_key, address_line1, line1_key,
         address_line2, line2_key, address_city, city_key, address_state, state_key, address_postal_code,
         postal_code_key, address_country
       from customers order by random() limit $1`,
      [size],
    );
    for (const row of rows) checkKeys(row);
    const addresses: SampleAddress[] = [];
    for (const row of rows) {
      if (row.address_line1 === null) continue;
      addresses.push({
        line1: row.address_line1,
        city: row.address_city ?? "",
        postalCode: row.address_postal_code ?? "",
        country: row.address_country ?? "",
      });
    }
    return {
      ids: rows.map((r) => r.id),
      emails: rows.map((r) => r.email).filter((e) => e !== ""),
      phones: rows.map((r) => r.phone).filter((p) => p !== ""),
      firstNames: rows.map((r) => r.first_name),
      addresses,
    };
  } finally {
    await client.end();
  }
}
