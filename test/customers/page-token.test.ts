import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PageCursor } from "../../src/customers/customer-repository.js";
import { createPageTokenCodec } from "../../src/customers/page-token.js";

const SECRET = "page-token-test-secret-0123456789abcdef";
const codec = createPageTokenCodec(SECRET);

const contact = { emailKey: "ada.lovelace@example.com", firstNamePrefixKey: "ada" };
const cursor: PageCursor = {
  createdAt: new Date("2026-03-02T09:15:00.123Z"),
  id: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e",
};

/** Signs `payload` as the codec does, to build tokens that carry a valid signature over chosen bytes. */
function signed(payloadText: string): string {
  const payload = Buffer.from(payloadText).toString("base64url");
  return `${payload}.${createHmac("sha256", SECRET).update(payload).digest("base64url")}`;
}

/** The search hash the codec binds into its payload (first 16 base64url chars of SHA-256 of the JSON). */
function hashOf(search: unknown): string {
  return createHash("sha256").update(JSON.stringify(search)).digest("base64url").slice(0, 16);
}

function parts(token: string): [string, string] {
  const [payload, signature] = token.split(".");
  if (payload === undefined || signature === undefined) throw new Error(`not a token: ${token}`);
  return [payload, signature];
}

/** Flips every bit of byte `index` (negative counts from the end) of a base64url string's bytes. */
function flipByte(base64url: string, index: number): string {
  const bytes = Buffer.from(base64url, "base64url");
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  return bytes.toString("base64url");
}

describe("createPageTokenCodec", () => {
  it.each<[string, unknown, PageCursor]>([
    ["contact criteria", contact, cursor],
    ["address criteria", { cityKey: "springfield", country: "US" }, cursor],
    [
      "a cursor at the epoch",
      { phone: "+14155552671" },
      { createdAt: new Date(0), id: "00000000-0000-7000-8000-000000000000" },
    ],
    [
      "a cursor with a millisecond",
      contact,
      { createdAt: new Date("2099-12-31T23:59:59.999Z"), id: "ffffffff-ffff-7fff-bfff-ffffffffffff" },
    ],
  ])("round-trips a token for %s", (_name, search, last) => {
    const token = codec.encode(search, last);

    expect(codec.decode(search, token)).toEqual(last);
    expect(codec.decode(structuredClone(search), token)).toEqual(last);
  });

  it("makes URL-safe tokens of two dot-separated parts", () => {
    const token = codec.encode(contact, cursor);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("gives different cursors different tokens", () => {
    const other = { ...cursor, createdAt: new Date(cursor.createdAt.getTime() + 1) };

    expect(codec.encode(contact, other)).not.toBe(codec.encode(contact, cursor));
  });

  it.each<[string, unknown]>([
    ["another email", { ...contact, emailKey: "grace.hopper@example.com" }],
    ["a criterion fewer", { emailKey: contact.emailKey }],
    ["a criterion more", { ...contact, phone: "+14155552671" }],
    ["address criteria", { cityKey: "springfield" }],
    ["no criteria", {}],
    ["undefined", undefined],
  ])("rejects a token when the search is %s", (_name, otherSearch) => {
    const token = codec.encode(contact, cursor);

    expect(codec.decode(otherSearch, token)).toBeUndefined();
  });

  it.each([0, 5, 17, -1])("rejects a token with byte %i of its payload flipped", (index) => {
    const [payload, signature] = parts(codec.encode(contact, cursor));

    expect(codec.decode(contact, `${flipByte(payload, index)}.${signature}`)).toBeUndefined();
  });

  it.each([0, 1, 16, 30, -1])("rejects a token with byte %i of its signature flipped", (index) => {
    const [payload, signature] = parts(codec.encode(contact, cursor));

    expect(codec.decode(contact, `${payload}.${flipByte(signature, index)}`)).toBeUndefined();
  });

  it.each([0, 10, 20])("rejects a token with character %i of its payload text changed", (index) => {
    const [payload, signature] = parts(codec.encode(contact, cursor));
    const changed = payload.slice(0, index) + (payload[index] === "A" ? "B" : "A") + payload.slice(index + 1);

    expect(codec.decode(contact, `${changed}.${signature}`)).toBeUndefined();
  });

  it("rejects a token whose signature is cut short or extended by whole bytes", () => {
    const [payload, signature] = parts(codec.encode(contact, cursor));
    const bytes = Buffer.from(signature, "base64url");

    expect(
      codec.decode(contact, `${payload}.${bytes.subarray(0, 31).toString("base64url")}`),
    ).toBeUndefined();
    expect(
      codec.decode(contact, `${payload}.${Buffer.concat([bytes, Buffer.of(0)]).toString("base64url")}`),
    ).toBeUndefined();
  });

  // Base64url decoding in Node is lenient (it skips foreign characters and padding and ignores the
  // unused low bits of the last character), so these texts decode to the real signature's bytes.
  it.each<[string, (signature: string) => string]>([
    ["with padding appended", (s) => `${s}=`],
    ["with a foreign character appended", (s) => `${s}!`],
    ["with a foreign character inserted", (s) => `${s.slice(0, 10)}*${s.slice(10)}`],
    [
      "with the unused bits of its last character changed",
      (s) => {
        const bytes = Buffer.from(s, "base64url");
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const twin = [...alphabet]
          .map((ch) => s.slice(0, -1) + ch)
          .find((t) => t !== s && Buffer.from(t, "base64url").equals(bytes));
        if (!twin) throw new Error("no twin encoding");
        return twin;
      },
    ],
  ])("rejects a token whose signature text is altered %s", (_name, alter) => {
    const [payload, signature] = parts(codec.encode(contact, cursor));
    const altered = alter(signature);
    expect(altered).not.toBe(signature);

    expect(codec.decode(contact, `${payload}.${altered}`)).toBeUndefined();
  });

  it("rejects a token whose payload and signature are swapped", () => {
    const [payload, signature] = parts(codec.encode(contact, cursor));

    expect(codec.decode(contact, `${signature}.${payload}`)).toBeUndefined();
  });

  it.each<[string, string]>([
    ["the empty string", ""],
    ["a dot", "."],
    ["a.b", "a.b"],
    ["a.b.c", "a.b.c"],
    ["no dot", "eyJ2IjoxfQ"],
    ["an empty payload", ".c2lnbmF0dXJl"],
    ["an empty signature", "eyJ2IjoxfQ."],
    ["non-base64 characters", "!!!$$$***.@@@###%%%"],
    ["whitespace", "   .   "],
    ["a JWT-like string", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"],
  ])("rejects %s", (_name, token) => {
    expect(codec.decode(contact, token)).toBeUndefined();
  });

  it("rejects a real token with a third part appended", () => {
    const token = codec.encode(contact, cursor);

    expect(codec.decode(contact, `${token}.${parts(token)[1]}`)).toBeUndefined();
  });

  it.each<[string, string]>([
    ["non-JSON text", "this is not json"],
    ["truncated JSON", '{"v":1,"s":'],
    ["JSON null", "null"],
    ["a JSON number", "42"],
    ["a JSON array", "[1,2,3]"],
    ["another version", JSON.stringify({ v: 2, s: hashOf(contact), t: 1, i: cursor.id })],
    ["no version", JSON.stringify({ s: hashOf(contact), t: 1, i: cursor.id })],
    ["a wrong search hash", JSON.stringify({ v: 1, s: hashOf({ emailKey: "x" }), t: 1, i: cursor.id })],
    ["a string time", JSON.stringify({ v: 1, s: hashOf(contact), t: "2026-03-02T09:15:00Z", i: cursor.id })],
    ["a missing id", JSON.stringify({ v: 1, s: hashOf(contact), t: 1 })],
    ["a numeric id", JSON.stringify({ v: 1, s: hashOf(contact), t: 1, i: 7 })],
  ])("rejects a validly signed payload of %s", (_name, payloadText) => {
    expect(codec.decode(contact, signed(payloadText))).toBeUndefined();
  });

  it("accepts a validly signed payload of the documented shape (the helpers above match the codec)", () => {
    const token = signed(JSON.stringify({ v: 1, s: hashOf(contact), t: 1_000, i: cursor.id }));

    expect(codec.decode(contact, token)).toEqual({ createdAt: new Date(1_000), id: cursor.id });
  });

  it("rejects a token signed with another secret", () => {
    const token = createPageTokenCodec("another-secret-fedcba9876543210").encode(contact, cursor);

    expect(codec.decode(contact, token)).toBeUndefined();
    expect(createPageTokenCodec(SECRET).decode(contact, codec.encode(contact, cursor))).toEqual(cursor);
  });
});
