import { setTimeout as sleep } from "node:timers/promises";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ContactMethod } from "../../gen/customers/v1/customer_pb.js";
import type { AddressData, CustomerData, CustomerRecord } from "../../src/customers/customer.js";
import {
  type AddressSearch,
  type ContactSearch,
  type CustomerRepository,
  createCustomerRepository,
  type PageCursor,
  type PageRequest,
} from "../../src/customers/customer-repository.js";
import { searchKey } from "../../src/customers/search-key.js";
import { validateCustomer } from "../../src/customers/validate-customer.js";
import { createQueryPool } from "../../src/db/database.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const { EMAIL, PHONE, SMS } = ContactMethod;

/** 2026-03-02T09:15:00.000Z; every test's timestamps are offsets from it. */
const T0 = Date.parse("2026-03-02T09:15:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

function address(overrides: Partial<AddressData> = {}): AddressData {
  return {
    line1: "742 Evergreen Terrace",
    line2: "",
    city: "Springfield",
    state: "OR",
    postalCode: "97477",
    country: "US",
    ...overrides,
  };
}

/** A realistic, valid customer created at `createdAt` (default T0), with a v7 id of that instant. */
function customer(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: uuidv7({ msecs: createdAt.getTime() }),
    firstName: "Marge",
    lastName: "Simpson",
    company: "",
    email: "marge.simpson@example.com",
    phone: "+15035550142",
    address: null,
    preferredContactMethods: [],
    marketingEmailOptIn: false,
    marketingSmsOptIn: false,
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

function dataOf(record: CustomerRecord): CustomerData {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, version: _version, ...data } = record;
  return data;
}

/** The order searches must return: createdAt, then id (PostgreSQL's uuid order = lower-case hex order). */
function byCreatedAtThenId(a: CustomerRecord, b: CustomerRecord): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const ALL: PageRequest = { limit: 1000 };

let db: TestDatabase;
let repo: CustomerRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = createCustomerRepository(db.pool);
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await db.knex.raw("truncate customers, customer_create_requests");
});

async function insertAll(records: CustomerRecord[]): Promise<void> {
  for (const record of records) await repo.insert(record);
}

async function rowCount(): Promise<number> {
  const result = (await db.knex.raw("select count(*)::int as n from customers")) as { rows: { n: number }[] };
  return result.rows[0]?.n ?? -1;
}

describe("insert and findById", () => {
  it.each<[string, CustomerRecord]>([
    [
      "a customer with a full address, every contact method and both opt-ins",
      customer({
        firstName: "Zoë",
        lastName: "O'Connor-Smith",
        company: "Acme Widgets & Co.",
        email: "Zoe.OConnor@Example.COM",
        phone: "+447700900123",
        address: address({
          line1: "221B Baker Street",
          line2: "Flat 2",
          city: "London",
          state: "Greater London",
          postalCode: "NW1 6XE",
          country: "GB",
        }),
        preferredContactMethods: [SMS, EMAIL, PHONE],
        marketingEmailOptIn: true,
        marketingSmsOptIn: true,
        createdAt: new Date("2026-01-02T03:04:05.678Z"),
        updatedAt: new Date("2026-02-03T04:05:06.789Z"),
      }),
    ],
    [
      "a customer without an address, contact methods or opt-ins",
      customer({
        firstName: "Jean-Luc",
        lastName: "Picard",
        email: "",
        phone: "+33142685300",
        createdAt: new Date("2025-12-31T23:59:59.999Z"),
        updatedAt: new Date("2026-01-01T00:00:00.001Z"),
      }),
    ],
    [
      "an address with only the required fields and mixed opt-ins",
      customer({
        firstName: "Ana María",
        lastName: "Núñez",
        email: "ana.nunez@example.es",
        phone: "",
        address: address({
          line1: "Calle Mayor 1",
          city: "Madrid",
          state: "",
          postalCode: "",
          country: "ES",
        }),
        preferredContactMethods: [EMAIL],
        marketingEmailOptIn: true,
        marketingSmsOptIn: false,
        createdAt: new Date("2026-06-15T12:00:00.000Z"),
        updatedAt: new Date("2026-06-15T12:00:00.000Z"),
      }),
    ],
  ])("round-trips %s", async (_name, record) => {
    const inserted = await repo.insert(record);
    const found = await repo.findById(record.id);

    expect(inserted).toStrictEqual(record);
    expect(found).toStrictEqual(record);
    expect(found?.createdAt.toISOString()).toBe(record.createdAt.toISOString());
    expect(found?.updatedAt.toISOString()).toBe(record.updatedAt.toISOString());
  });

  it("stores the search keys of the record", async () => {
    const record = customer({
      firstName: "  Zoe\u0308 ",
      email: "Zoe.Doe@Example.COM",
      address: address({
        line1: "1  Main   St",
        line2: "Apt  4B",
        city: "New   York",
        state: "NY",
        postalCode: "10001 ",
      }),
    });
    await repo.insert(record);

    const result = (await db.knex.raw(
      `select email_key, first_name_key, line1_key, line2_key, city_key, state_key, postal_code_key
       from customers where id = ?`,
      [record.id],
    )) as { rows: Record<string, string | null>[] };

    expect(result.rows).toEqual([
      {
        email_key: "zoe.doe@example.com",
        first_name_key: "zo\u00eb",
        line1_key: "1 main st",
        line2_key: "apt 4b",
        city_key: "new york",
        state_key: "ny",
        postal_code_key: "10001",
      },
    ]);
  });

  it("stores null search keys for a customer without an address", async () => {
    const record = customer();
    await repo.insert(record);

    const result = (await db.knex.raw(
      "select line1_key, line2_key, city_key, state_key, postal_code_key, address_country from customers where id = ?",
      [record.id],
    )) as { rows: Record<string, string | null>[] };

    expect(result.rows).toEqual([
      {
        line1_key: null,
        line2_key: null,
        city_key: null,
        state_key: null,
        postal_code_key: null,
        address_country: null,
      },
    ]);
  });

  it("returns undefined for an unknown id", async () => {
    await repo.insert(customer());

    expect(await repo.findById(uuidv7())).toBeUndefined();
  });

  it("inserts separate rows for each plain insert", async () => {
    await repo.insert(customer());
    await repo.insert(customer());

    expect(await rowCount()).toBe(2);
  });
});

describe("insertOnce (idempotency keys)", () => {
  const key = (k: string, digest = "d1", scope = "api-key#0") => ({
    scope,
    key: k,
    requestDigest: new TextEncoder().encode(digest),
  });

  it("creates once; a retry with the key and digest replays the first customer and stores no row", async () => {
    const first = customer({ firstName: "Homer", email: "homer@example.com" });
    const retry = customer({ firstName: "Homer", createdAt: at(5_000) });

    expect(await repo.insertOnce(first, key("k-1"))).toStrictEqual({ outcome: "created", record: first });
    expect(await repo.insertOnce(retry, key("k-1"))).toStrictEqual({ outcome: "replayed", record: first });
    expect(await repo.findById(retry.id)).toBeUndefined();
    expect(await rowCount()).toBe(1);
  });

  it("refuses the key with another request's digest, storing nothing", async () => {
    await repo.insertOnce(customer(), key("k-2", "d1"));
    const other = customer();

    expect(await repo.insertOnce(other, key("k-2", "d2"))).toStrictEqual({ outcome: "key-reused" });
    expect(await repo.findById(other.id)).toBeUndefined();
    expect(await rowCount()).toBe(1);
  });

  it("scopes keys to the credential: the same key from another caller is another request", async () => {
    await repo.insertOnce(customer(), key("k-3", "d1", "alice"));
    const bobs = await repo.insertOnce(customer(), key("k-3", "d1", "bob"));

    expect(bobs.outcome).toBe("created");
    expect(await rowCount()).toBe(2);
  });

  it("gives concurrent calls with one key one customer, created by exactly one of them", async () => {
    const attempts = Array.from({ length: 8 }, (_, i) => customer({ createdAt: at(i) }));

    const results = await Promise.all(attempts.map((record) => repo.insertOnce(record, key("k-4"))));

    expect(results.filter((r) => r.outcome === "created")).toHaveLength(1);
    const ids = new Set(results.map((r) => (r.outcome === "key-reused" ? undefined : r.record.id)));
    expect(ids.size).toBe(1);
    expect(await rowCount()).toBe(1);
  });

  it("prunes keys older than a date, after which the key creates again", async () => {
    const old = customer({ createdAt: at(0) });
    await repo.insertOnce(old, key("k-5"));

    expect(await repo.pruneIdempotencyKeys(at(1))).toBe(1);
    expect((await repo.insertOnce(customer({ createdAt: at(2) }), key("k-5"))).outcome).toBe("created");
    expect(await rowCount()).toBe(2);
  });
});

describe("update", () => {
  it("applies the change, keeps id and createdAt, sets updatedAt and raises the version", async () => {
    const original = customer({ address: address(), preferredContactMethods: [EMAIL] });
    await repo.insert(original);
    const now = new Date("2026-04-05T06:07:08.123Z");
    let seen: CustomerRecord | undefined;

    const updated = await repo.update(
      original.id,
      (current) => {
        seen = current;
        // A sloppy `change` that also returns server-owned fields must not be able to move them.
        return {
          ...dataOf(current),
          id: uuidv7(),
          createdAt: new Date(0),
          version: 99,
          lastName: "Bouvier",
          company: "Springfield Nuclear Power Plant",
          address: null,
          preferredContactMethods: [PHONE, SMS],
          marketingSmsOptIn: true,
        } as CustomerData;
      },
      now,
    );

    const expected: CustomerRecord = {
      ...original,
      lastName: "Bouvier",
      company: "Springfield Nuclear Power Plant",
      address: null,
      preferredContactMethods: [PHONE, SMS],
      marketingSmsOptIn: true,
      updatedAt: now,
      version: 2,
    };
    expect(seen).toStrictEqual(original);
    expect(updated).toStrictEqual(expected);
    expect(await repo.findById(original.id)).toStrictEqual(expected);
    expect(await rowCount()).toBe(1);
  });

  it("updates the search keys with the data", async () => {
    const original = customer({ firstName: "Marge", email: "marge@example.com", address: address() });
    await repo.insert(original);

    await repo.update(
      original.id,
      (current) => ({
        ...dataOf(current),
        firstName: "Margaret",
        email: "Marjorie.Bouvier@Example.com",
        address: address({ city: "Shelbyville" }),
      }),
      at(60_000),
    );

    const ids = (rows: CustomerRecord[]) => rows.map((r) => r.id);
    expect(ids(await repo.searchByContact({ emailKey: "marge@example.com" }, ALL))).toEqual([]);
    expect(ids(await repo.searchByContact({ emailKey: "marjorie.bouvier@example.com" }, ALL))).toEqual([
      original.id,
    ]);
    expect(ids(await repo.searchByContact({ firstNamePrefixKey: "margaret" }, ALL))).toEqual([original.id]);
    expect(ids(await repo.searchByAddress({ cityKey: "springfield" }, ALL))).toEqual([]);
    expect(ids(await repo.searchByAddress({ cityKey: "shelbyville" }, ALL))).toEqual([original.id]);
  });

  it("returns undefined for an unknown id without calling change or writing", async () => {
    const existing = customer();
    await repo.insert(existing);
    let called = false;

    const result = await repo.update(
      uuidv7(),
      (current) => {
        called = true;
        return dataOf(current);
      },
      at(1_000),
    );

    expect(result).toBeUndefined();
    expect(called).toBe(false);
    expect(await repo.findById(existing.id)).toStrictEqual(existing);
    expect(await rowCount()).toBe(1);
  });

  it("rolls back and rethrows when change throws, leaving the row unchanged and unlocked", async () => {
    const original = customer({ address: address() });
    await repo.insert(original);
    const failure = new Error("validation failed");

    await expect(
      repo.update(
        original.id,
        () => {
          throw failure;
        },
        at(1_000),
      ),
    ).rejects.toBe(failure);

    expect(await repo.findById(original.id)).toStrictEqual(original);
    // The lock was released: another update goes through.
    const next = await repo.update(original.id, (c) => ({ ...dataOf(c), company: "Kwik-E-Mart" }), at(2_000));
    expect(next?.company).toBe("Kwik-E-Mart");
  });

  it("waits for a concurrent lock on the row and then changes the committed data", async () => {
    const original = customer();
    await repo.insert(original);
    const trx = await db.knex.transaction();
    let seen: CustomerRecord | undefined;
    let pending: Promise<CustomerRecord | undefined> | undefined;
    try {
      await trx.raw("update customers set company = 'Locked Inc.' where id = ?", [original.id]);

      pending = repo.update(
        original.id,
        (current) => {
          seen = current;
          return { ...dataOf(current), lastName: "Bouvier" };
        },
        at(3_000),
      );
      await sleep(300);
      expect(seen).toBeUndefined();
    } finally {
      await trx.commit();
    }

    const updated = await pending;
    expect(seen?.company).toBe("Locked Inc.");
    expect(updated).toStrictEqual({
      ...original,
      company: "Locked Inc.",
      lastName: "Bouvier",
      updatedAt: at(3_000),
      version: 2,
    });
  });

  it("loses no update when several run at once", async () => {
    const original = customer({ company: "" });
    await repo.insert(original);

    await Promise.all(
      ["a", "b", "c", "d", "e"].map((letter, i) =>
        repo.update(original.id, (c) => ({ ...dataOf(c), company: c.company + letter }), at(1_000 + i)),
      ),
    );

    const final = await repo.findById(original.id);
    expect([...(final?.company ?? "")].sort().join("")).toBe("abcde");
    expect(final?.version).toBe(6);
  });

  it("stores the inserted version and raises it by one on every update, whatever changes", async () => {
    const original = customer({ version: 41 });
    expect((await repo.insert(original)).version).toBe(41);

    const same = await repo.update(original.id, dataOf, at(1_000));
    const changed = await repo.update(original.id, (c) => ({ ...dataOf(c), company: "Moe's" }), at(2_000));

    expect(same?.version).toBe(42);
    expect(changed?.version).toBe(43);
    expect((await repo.findById(original.id))?.version).toBe(43);
  });

  it("runs change under the lock: of concurrent updates expecting one version, exactly one writes", async () => {
    const original = customer();
    await repo.insert(original);
    const stale = new Error("stale version");

    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        repo.update(
          original.id,
          (current) => {
            if (current.version !== original.version) throw stale;
            return { ...dataOf(current), company: `writer ${i}` };
          },
          at(1_000 + i),
        ),
      ),
    );

    const written = outcomes.filter((o) => o.status === "fulfilled");
    expect(written).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => o.reason)).toEqual(
      Array(7).fill(stale),
    );
    const final = await repo.findById(original.id);
    expect(final?.version).toBe(2);
    expect(final?.company).toBe((written[0] as PromiseFulfilledResult<CustomerRecord>).value.company);
  });
});

describe("searchByContact", () => {
  const ada = customer({
    firstName: "Ada",
    lastName: "Lovelace",
    email: "Ada.Lovelace@Example.com",
    phone: "+442079460001",
    createdAt: at(1_000),
  });
  const adam = customer({
    firstName: "Adam",
    lastName: "Smith",
    email: "adam.smith@example.com",
    phone: "+442079460002",
    createdAt: at(2_000),
  });
  const adaLonger = customer({
    firstName: "Grace",
    lastName: "Hopper",
    email: "ada.lovelace@example.com.au",
    phone: "+4420794600010",
    createdAt: at(3_000),
  });
  const madeline = customer({
    firstName: "Madeline",
    lastName: "Ada",
    email: "madeline@example.com",
    phone: "+14155552671",
    createdAt: at(4_000),
  });
  const noEmail = customer({ firstName: "Bob", lastName: "Builder", email: "", phone: "+14155550000" });
  const people = [madeline, adaLonger, noEmail, adam, ada];

  it.each<[string, ContactSearch, CustomerRecord[]]>([
    ["email key exactly", { emailKey: "ada.lovelace@example.com" }, [ada]],
    ["email key, not as a prefix", { emailKey: "ada.lovelace@example" }, []],
    ["email key of another customer", { emailKey: "ada.lovelace@example.com.au" }, [adaLonger]],
    ["phone exactly", { phone: "+442079460001" }, [ada]],
    ["phone, not as a prefix", { phone: "+44207946000" }, []],
    ["first-name prefix", { firstNamePrefixKey: "ada" }, [ada, adam]],
    ["whole first name as prefix", { firstNamePrefixKey: "adam" }, [adam]],
    ["first-name prefix at the start only", { firstNamePrefixKey: "ade" }, []],
    ["first-name prefix, not the last name", { firstNamePrefixKey: "lovelace" }, []],
    ["first-name prefix that matches nobody", { firstNamePrefixKey: "zed" }, []],
  ])("matches %s", async (_name, search, expected) => {
    await insertAll(people);

    expect(await repo.searchByContact(search, ALL)).toStrictEqual(expected);
  });

  it.each<[string, CustomerRecord[]]>([
    ["a%", []],
    ["%", []],
    ["_", []],
    ["ad_", []],
    ["a_a", []],
    ["\\", []],
    ["ad\\", []],
  ])("treats LIKE metacharacters in prefix %j literally", async (prefix, expected) => {
    await insertAll(people);

    expect(await repo.searchByContact({ firstNamePrefixKey: prefix }, ALL)).toStrictEqual(expected);
  });

  it("finds first names that do contain LIKE metacharacters by their literal prefix", async () => {
    const percent = customer({ firstName: "Al%ce", createdAt: at(1) });
    const underscore = customer({ firstName: "Al_ce", createdAt: at(2) });
    const backslash = customer({ firstName: "Al\\ce", createdAt: at(3) });
    const plain = customer({ firstName: "Alice", createdAt: at(4) });
    await insertAll([percent, underscore, backslash, plain]);

    const firstNames = async (prefix: string) =>
      (await repo.searchByContact({ firstNamePrefixKey: prefix }, ALL)).map((r) => r.firstName);
    expect(await firstNames("al%")).toEqual(["Al%ce"]);
    expect(await firstNames("al_")).toEqual(["Al_ce"]);
    expect(await firstNames("al\\")).toEqual(["Al\\ce"]);
    expect(await firstNames("al")).toEqual(["Al%ce", "Al_ce", "Al\\ce", "Alice"]);
  });

  it("returns customers matching ANY of the criteria, each once, in (createdAt, id) order", async () => {
    await insertAll(people);

    const found = await repo.searchByContact(
      // email of ada, phone of madeline, first-name prefix of ada and adam: ada matches twice.
      { emailKey: "ada.lovelace@example.com", phone: "+14155552671", firstNamePrefixKey: "ad" },
      ALL,
    );

    expect(found).toStrictEqual([ada, adam, madeline]);
  });

  it.each<[string, ContactSearch, CustomerRecord[]]>([
    ["email and phone", { emailKey: "adam.smith@example.com", phone: "+14155550000" }, [noEmail, adam]],
    ["phone and first name", { phone: "+14155550000", firstNamePrefixKey: "mad" }, [noEmail, madeline]],
    [
      "email and first name",
      { emailKey: "madeline@example.com", firstNamePrefixKey: "bo" },
      [noEmail, madeline],
    ],
    [
      "a matching and a non-matching criterion",
      { emailKey: "nobody@example.com", phone: "+442079460002" },
      [adam],
    ],
  ])("combines %s as ANY", async (_name, search, expected) => {
    await insertAll(people);

    expect(await repo.searchByContact(search, ALL)).toStrictEqual(expected);
  });
});

describe("searchByAddress", () => {
  const springfieldOr = customer({
    firstName: "Ned",
    lastName: "Flanders",
    address: address({
      line1: "744  Evergreen Terrace",
      line2: "Unit B",
      city: "Springfield",
      state: "OR",
      postalCode: "97477",
      country: "US",
    }),
    createdAt: at(1_000),
  });
  const springfieldIl = customer({
    firstName: "Lisa",
    lastName: "Simpson",
    address: address({
      line1: "742 Evergreen Terrace",
      line2: "",
      city: "SPRINGFIELD",
      state: "IL",
      postalCode: "62701",
      country: "US",
    }),
    createdAt: at(2_000),
  });
  const shelbyville = customer({
    firstName: "Lenny",
    lastName: "Leonard",
    address: address({
      line1: "742 Evergreen Terrace",
      line2: "Unit B",
      city: "Shelbyville",
      state: "IL",
      postalCode: "62565",
      country: "US",
    }),
    createdAt: at(3_000),
  });
  const springfieldAu = customer({
    firstName: "Bruce",
    lastName: "Wallaby",
    address: address({
      line1: "1 Eucalyptus Way",
      line2: "",
      city: "Springfield",
      state: "QLD",
      postalCode: "4300",
      country: "AU",
    }),
    createdAt: at(4_000),
  });
  const homeless = customer({ firstName: "Hans", lastName: "Moleman", address: null, createdAt: at(5_000) });
  const people = [homeless, springfieldAu, shelbyville, springfieldIl, springfieldOr];

  it.each<[string, AddressSearch, CustomerRecord[]]>([
    ["line1", { line1Key: searchKey("742 EVERGREEN   terrace ") }, [springfieldIl, shelbyville]],
    [
      "line1 with collapsed inner whitespace",
      { line1Key: searchKey("744 Evergreen Terrace") },
      [springfieldOr],
    ],
    ["line1, not as a prefix", { line1Key: searchKey("742 Evergreen") }, []],
    ["line2", { line2Key: searchKey("unit b") }, [springfieldOr, shelbyville]],
    ["city", { cityKey: searchKey(" springfield ") }, [springfieldOr, springfieldIl, springfieldAu]],
    ["state", { stateKey: searchKey("il") }, [springfieldIl, shelbyville]],
    ["postal code", { postalCodeKey: searchKey("62701") }, [springfieldIl]],
    ["country", { country: "AU" }, [springfieldAu]],
    ["a city nobody lives in", { cityKey: "capital city" }, []],
  ])("matches %s", async (_name, search, expected) => {
    await insertAll(people);

    expect(await repo.searchByAddress(search, ALL)).toStrictEqual(expected);
  });

  it.each<[string, AddressSearch, CustomerRecord[]]>([
    ["city and country", { cityKey: "springfield", country: "US" }, [springfieldOr, springfieldIl]],
    ["city and state", { cityKey: "springfield", stateKey: "il" }, [springfieldIl]],
    ["line1 and line2", { line1Key: "742 evergreen terrace", line2Key: "unit b" }, [shelbyville]],
    [
      "every field",
      {
        line1Key: "744 evergreen terrace",
        line2Key: "unit b",
        cityKey: "springfield",
        stateKey: "or",
        postalCodeKey: "97477",
        country: "US",
      },
      [springfieldOr],
    ],
    ["fields that no single customer has together", { cityKey: "shelbyville", postalCodeKey: "62701" }, []],
  ])("combines %s as ALL", async (_name, search, expected) => {
    await insertAll(people);

    expect(await repo.searchByAddress(search, ALL)).toStrictEqual(expected);
  });
});

describe("text whose lower-case form is longer than the text", () => {
  // "İ" (U+0130) is one code point; its lower-case form "i̇" (i + U+0307 COMBINING DOT ABOVE) is two, so
  // the search keys of fields at their maximum length are longer than the columns they come from.
  const DOTTED_I = "\u0130";
  const name = DOTTED_I.repeat(50);
  const text100 = DOTTED_I.repeat(100);
  const dottedAddress = (): AddressData =>
    address({
      line1: text100,
      line2: text100,
      city: text100,
      state: text100,
      postalCode: DOTTED_I.repeat(20),
      country: "TR",
    });

  it("is lower-cased to more code points (the premise of these tests)", () => {
    expect([...DOTTED_I.toLowerCase()]).toHaveLength(2);
    expect([...searchKey(name)]).toHaveLength(100);
    expect([...searchKey(text100)]).toHaveLength(200);
  });

  it("passes validation at the maximum lengths", () => {
    const { customer: valid, violations } = validateCustomer({
      ...dataOf(customer()),
      firstName: name,
      lastName: name,
      company: text100,
      address: dottedAddress(),
    });
    expect(violations).toEqual([]);
    expect(valid.firstName).toBe(name);
    expect(valid.address).toMatchObject({ line1: text100, city: text100 });
  });

  it("stores, reads back and finds by first-name prefix and by address", async () => {
    const record = customer({
      firstName: name,
      lastName: name,
      company: text100,
      address: dottedAddress(),
      createdAt: at(1_000),
    });
    const other = customer({ firstName: "Ivan", address: address({ city: "Istanbul", country: "TR" }) });
    await insertAll([record, other]);

    expect(await repo.findById(record.id)).toStrictEqual(record);
    const ids = (rows: CustomerRecord[]) => rows.map((r) => r.id);
    for (const prefix of [DOTTED_I, DOTTED_I.repeat(3), name, "i\u0307", "I\u0307".repeat(50)]) {
      expect(ids(await repo.searchByContact({ firstNamePrefixKey: searchKey(prefix) }, ALL)), prefix).toEqual(
        [record.id],
      );
    }
    expect(ids(await repo.searchByContact({ firstNamePrefixKey: "i" }, ALL))).toEqual([other.id, record.id]);
    expect(ids(await repo.searchByAddress({ line1Key: searchKey(text100) }, ALL))).toEqual([record.id]);
    expect(ids(await repo.searchByAddress({ cityKey: searchKey(text100), country: "TR" }, ALL))).toEqual([
      record.id,
    ]);
    expect(
      ids(
        await repo.searchByAddress(
          {
            line1Key: searchKey(text100),
            line2Key: searchKey(text100),
            cityKey: searchKey(text100),
            stateKey: searchKey(text100),
            postalCodeKey: searchKey(DOTTED_I.repeat(20)),
            country: "TR",
          },
          ALL,
        ),
      ),
    ).toEqual([record.id]);
    // An address search is exact, not a prefix.
    expect(await repo.searchByAddress({ cityKey: searchKey(DOTTED_I.repeat(99)) }, ALL)).toEqual([]);
  });

  it("updates a customer to those values", async () => {
    const original = customer({ address: address() });
    await repo.insert(original);

    const updated = await repo.update(
      original.id,
      (current) => ({ ...dataOf(current), firstName: name, address: dottedAddress() }),
      at(60_000),
    );

    expect(updated).toMatchObject({ firstName: name, address: dottedAddress() });
    expect(
      (await repo.searchByContact({ firstNamePrefixKey: searchKey(name) }, ALL)).map((r) => r.id),
    ).toEqual([original.id]);
    expect((await repo.searchByAddress({ cityKey: searchKey(text100) }, ALL)).map((r) => r.id)).toEqual([
      original.id,
    ]);
  });
});

describe("ordering and pagination", () => {
  it("orders by createdAt, then id, for rows with identical createdAt", async () => {
    const same = at(10_000);
    // ids deliberately not in createdAt order: an early row gets a late id, and ties are inserted shuffled.
    const early = customer({ id: uuidv7({ msecs: T0 + 99_000 }), createdAt: at(9_999) });
    const tied = Array.from({ length: 5 }, () =>
      customer({ id: uuidv7({ msecs: T0 + 1 }), createdAt: same }),
    );
    const late = customer({ id: uuidv7({ msecs: T0 }), createdAt: at(10_001) });
    const expected = [early, ...tied, late].sort(byCreatedAtThenId);
    expect(expected[0]).toBe(early);
    expect(expected.at(-1)).toBe(late);
    await insertAll([tied[3], late, tied[0], tied[4], early, tied[2], tied[1]] as CustomerRecord[]);

    expect(await repo.searchByContact({ firstNamePrefixKey: "marge" }, ALL)).toStrictEqual(expected);
    expect(await repo.searchByContact({ firstNamePrefixKey: "marge" }, { limit: 3 })).toStrictEqual(
      expected.slice(0, 3),
    );
  });

  it("starts after a cursor in the middle of rows with identical createdAt", async () => {
    const same = at(10_000);
    const rows = Array.from({ length: 6 }, () => customer({ createdAt: same })).sort(byCreatedAtThenId);
    await insertAll([...rows].reverse());
    const cursor = rows[2] as CustomerRecord;

    const after = await repo.searchByContact(
      { firstNamePrefixKey: "marge" },
      { after: { createdAt: cursor.createdAt, id: cursor.id }, limit: 10 },
    );

    expect(after).toStrictEqual(rows.slice(3));
  });

  const firstNames = ["Maria", "Marek", "Marisol", "Marcus", "Margaret", "Mariam", "Marco"];

  /** 23 matching rows in groups of three sharing createdAt, and 9 that do not match, inserted shuffled. */
  function paginationRows() {
    const matching = Array.from({ length: 23 }, (_, i) =>
      customer({
        firstName: firstNames[i % firstNames.length],
        lastName: `Tester${i}`,
        email: `tester${i}@example.com`,
        address: address({ city: i % 2 === 0 ? "Springfield" : "  SPRINGFIELD " }),
        createdAt: at(Math.floor(i / 3) * 1_000),
      }),
    );
    const other = Array.from({ length: 9 }, (_, i) =>
      customer({
        firstName: "Ned",
        email: `other${i}@example.com`,
        address: address({ city: "Shelbyville" }),
        createdAt: at(i * 700),
      }),
    );
    // Inserted in an order unrelated to (createdAt, id): by last name and email.
    const all = [...matching, ...other].sort((a, b) =>
      (a.lastName + a.email).localeCompare(b.lastName + b.email),
    );
    return { matching: [...matching].sort(byCreatedAtThenId), all };
  }

  it.each<[string, (page: PageRequest) => Promise<CustomerRecord[]>]>([
    ["searchByContact", (page) => repo.searchByContact({ firstNamePrefixKey: "mar" }, page)],
    ["searchByAddress", (page) => repo.searchByAddress({ cityKey: "springfield", country: "US" }, page)],
  ])("%s pages through every match exactly once", async (_name, search) => {
    const { matching, all } = paginationRows();
    await insertAll(all);

    const pages: CustomerRecord[][] = [];
    let after: PageCursor | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await search({ after, limit: 5 });
      pages.push(page);
      const last = page.at(-1);
      if (page.length < 5 || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }

    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const flat = pages.flat();
    expect(new Set(flat.map((r) => r.id)).size).toBe(23);
    expect(flat).toStrictEqual(matching);
  });

  it("returns an empty page after the last row", async () => {
    const { matching, all } = paginationRows();
    await insertAll(all);
    const last = matching.at(-1) as CustomerRecord;

    const page = await repo.searchByContact(
      { firstNamePrefixKey: "mar" },
      { after: { createdAt: last.createdAt, id: last.id }, limit: 5 },
    );

    expect(page).toEqual([]);
  });
});

describe("time zones", () => {
  it.each(["Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"])(
    "reads timestamps exactly when the database time zone is %s",
    async (timeZone) => {
      const database = new URL(db.url).pathname.slice(1);
      await db.knex.raw(`alter database "${database}" set timezone to '${timeZone}'`);
      const pool = createQueryPool(db.url, console, 1);
      try {
        const zoned = createCustomerRepository(pool);
        const record = customer({
          createdAt: new Date("2026-07-01T00:00:00.007Z"),
          updatedAt: new Date("2026-12-31T23:59:59.993Z"),
        });
        const shown = await pool.query<{ TimeZone: string }>("show timezone");
        expect(shown.rows[0]?.TimeZone).toBe(timeZone);

        await zoned.insert(record);

        expect(await zoned.findById(record.id)).toStrictEqual(record);
        expect(await zoned.searchByContact({ firstNamePrefixKey: "marge" }, ALL)).toStrictEqual([record]);
      } finally {
        await pool.end();
        await db.knex.raw(`alter database "${database}" reset timezone`);
      }
    },
  );
});

describe("cancellation", () => {
  it("cancels the running statement when the signal aborts, and never reuses that connection", async () => {
    const pool = createQueryPool(db.url, { warn: () => undefined }, 1);
    const single = createCustomerRepository(pool);
    const original = customer();
    await single.insert(original);
    const locker = await db.pool.connect();
    try {
      await locker.query("begin");
      await locker.query("select id from customers where id = $1 for update", [original.id]);
      const abort = new AbortController();
      const blocked = single.update(original.id, (c) => ({ ...c, company: "X" }), at(1), abort.signal);
      let waiting: number | undefined;
      for (let i = 0; i < 50 && waiting === undefined; i++) {
        await sleep(20);
        const { rows } = await locker.query<{ pid: number }>(
          "select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        waiting = rows[0]?.pid;
      }
      expect(waiting).toBeDefined();
      const reason = new Error("caller gone");
      abort.abort(reason);
      await expect(blocked).rejects.toBe(reason);
      await locker.query("rollback");
      // The one pooled connection is a new backend: a late pg_cancel_backend cannot hit the next call.
      const { rows } = await pool.query<{ pid: number }>("select pg_backend_pid() as pid");
      expect(rows[0]?.pid).not.toBe(waiting);
      expect(await single.findById(original.id)).toMatchObject({ company: original.company });
    } finally {
      locker.release();
      await pool.end();
    }
  });
});
