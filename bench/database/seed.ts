// Seeds customers with set-based SQL (generate_series), not through the API: a million rows take
// seconds, and the service is measured on reads of data it did not write itself. Every value is a
// hash of the row number, so runs with the same BENCH_ROWS get the same data.
import pg from "pg";
import {
  COMPANY_SUFFIXES,
  cityRows,
  EMAIL_DOMAINS,
  ENDINGS,
  FIRST_SYLLABLES,
  LAST_SYLLABLES,
  MIDDLE_SYLLABLES,
  SURNAMES,
  streetRows,
} from "./seed-vocabulary.js";

// $1, $2: row numbers from and to. Bit fields of four 31-bit hashes pick the parts independently.
// The *_key columns get searchKey() forms: texts from the vocabulary bring keys computed in
// TypeScript; generated parts are ASCII, where lower() is exactly searchKey().
const INSERT = `
with
  cities as (select * from jsonb_to_recordset($3::jsonb) as t(i int, city text, city_key text, state text,
    state_key text, country text, phone_prefix text, phone_base bigint, postal text)),
  streets as (select * from jsonb_to_recordset($4::jsonb) as t(country text, i int, count int, street text,
    street_key text, number_first boolean)),
  hashed as (
    select g.n,
      (hashint8extended(g.n, 1) & 2147483647)::int as h1, (hashint8extended(g.n, 2) & 2147483647)::int as h2,
      (hashint8extended(g.n, 3) & 2147483647)::int as h3, (hashint8extended(g.n, 4) & 2147483647)::int as h4
    from generate_series($1::bigint, $2::bigint) as g(n)),
  people as (
    select h.*, c.*, s.street, s.street_key, s.number_first,
      ($5::text[])[1 + h.h1 % 32] || ($6::text[])[1 + (h.h1 >> 5) % 32] || ($7::text[])[1 + (h.h1 >> 10) % 32]
        || ($8::text[])[1 + (h.h1 >> 15) % cardinality($8::text[])] as first_name,
      ($9::text[])[1 + (h.h2 >> 8) % cardinality($9::text[])] as last_name,
      (1 + (h.h3 >> 8) % 2000)::text as house,
      h.h4 % 20 <> 0 as has_address,
      h.h4 % 10 <> 1 as has_phone,
      $12::timestamptz + h.n * interval '30 seconds' + ((h.h3 >> 16) % 29000) * interval '1 millisecond'
        as created_at
    from hashed h
    join cities c on c.i = h.h2 % (select count(*) from cities)
    join streets s on s.country = c.country and s.i = h.h3 % s.count),
  customers_out as (
    select p.*,
      p.first_name || '.' || p.n || '@' || ($11::text[])[1 + (p.h2 >> 12) % cardinality($11::text[])] as email,
      case when p.has_phone then p.phone_prefix || (p.phone_base + p.n)::text else '' end as phone,
      case when p.number_first then p.house || ' ' || p.street else p.street || ' ' || p.house end as line1,
      case when p.number_first then p.house || ' ' || p.street_key else p.street_key || ' ' || p.house end
        as line1_key,
      case when (p.h4 >> 5) % 5 = 0 then 'Apt ' || (1 + (p.h4 >> 8) % 300) else '' end as line2,
      case when p.country = 'GB'
        then p.postal || ' ' || (1 + p.h4 % 9) || chr(65 + ((p.h4 >> 4) % 26)::int) || chr(65 + ((p.h4 >> 9) % 26)::int)
        else lpad((p.postal::int + (p.h4 >> 4) % 50)::text, length(p.postal), '0') end as postal_code
    from people p)
insert into customers (id, first_name, last_name, company, email, phone, address_line1, address_line2,
  address_city, address_state, address_postal_code, address_country, preferred_contact_methods,
  marketing_email_opt_in, marketing_sms_opt_in, created_at, updated_at, email_key, first_name_key,
  line1_key, line2_key, city_key, state_key, postal_code_key)
select
  uuidv7(o.created_at - statement_timestamp()),
  o.first_name,
  o.last_name,
  case when (o.h2 >> 16) % 5 < 2 then o.last_name || ' ' || ($10::text[])[1 + (o.h2 >> 19) % cardinality($10::text[])]
    else '' end,
  o.email,
  o.phone,
  case when o.has_address then o.line1 end,
  case when o.has_address then o.line2 end,
  case when o.has_address then o.city end,
  case when o.has_address then o.state end,
  case when o.has_address then o.postal_code end,
  case when o.has_address then o.country end,
  case when o.has_phone
    then (array['{EMAIL}', '{PHONE}', '{EMAIL,SMS}', '{SMS,EMAIL,PHONE}', '{}'])[1 + (o.h4 >> 12) % 5]
    else (array['{EMAIL}', '{}'])[1 + (o.h4 >> 12) % 2] end::text[],
  (o.h2 >> 20) % 3 = 0,
  o.has_phone and (o.h2 >> 22) % 5 = 0,
  o.created_at,
  o.created_at + ((o.h4 >> 16) % 86400000) * interval '1 millisecond',
  lower(o.email),
  lower(o.first_name),
  case when o.has_address then o.line1_key end,
  case when o.has_address then lower(o.line2) end,
  case when o.has_address then o.city_key end,
  case when o.has_address then o.state_key end,
  case when o.has_address then lower(o.postal_code) end
from customers_out o`;

/** Inserts `rows` customers in batches (reporting progress), then VACUUM ANALYZE for fresh statistics. */
export async function seedCustomers(url: string, rows: number, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Bulk-load settings for this session only; the service's own sessions keep the defaults.
    await client.query("set synchronous_commit = off");
    await client.query("set maintenance_work_mem = '256MB'");
    // created_at runs up to about now: 30 s per row, ending a day ago.
    const start = new Date(Date.now() - rows * 30_000 - 86_400_000);
    const batch = 250_000;
    for (let from = 1; from <= rows; from += batch) {
      const to = Math.min(rows, from + batch - 1);
      await client.query(INSERT, [
        from,
        to,
        JSON.stringify(cityRows()),
        JSON.stringify(streetRows()),
        FIRST_SYLLABLES,
        MIDDLE_SYLLABLES,
        LAST_SYLLABLES,
        ENDINGS,
        SURNAMES,
        COMPANY_SUFFIXES,
        EMAIL_DOMAINS,
        start,
      ]);
      log(`seeded ${to} of ${rows} customers`);
    }
    await client.query("vacuum analyze customers");
  } finally {
    await client.end();
  }
}
