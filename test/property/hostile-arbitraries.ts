// Hostile inputs: text with lone surrogates and control characters, JSON with unrepresentable numbers
// and hostile keys, bytes that are not UTF-8, deep nesting, query strings with broken
// percent-encoding, and protobuf wire bytes (well-formed with hostile content, or malformed).
import { create, type DescField, type DescMessage, ScalarType, toBinary, toJson } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";

/** Code points a careless server may trip on: any code point, lone surrogates, controls, quoting characters. */
const hostileUnit = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)), weight: 2 },
  {
    arbitrary: fc
      .integer({ min: 0, max: 0x9f })
      .filter((c) => c < 0x20 || c >= 0x7f)
      .map((c) => String.fromCharCode(c)),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      "\u0000",
      "\ufeff",
      "\u202e",
      "\u2028",
      "\u{1f600}",
      "%",
      "\\",
      '"',
      "'",
      "<",
      ".",
      "[",
      "*",
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }), weight: 4 },
);

/** Short hostile text, sometimes one code point repeated up to `longest` times. */
function hostileText(longest: number): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.string({ unit: hostileUnit, maxLength: 24 }), weight: 9 },
    {
      arbitrary: fc
        .tuple(hostileUnit, fc.constantFrom(51, 101, 255, 1000, longest))
        .map(([unit, times]) => unit.repeat(times)),
      weight: 1,
    },
  );
}

/** Short hostile text, sometimes very long (20,000 code points). */
export const hostileString = hostileText(20_000);

/**
 * Hostile text of at most 1,000 code points: what gRPC properties use, because longer text that an
 * error echoes overflows HTTP header limits (hostile-rpc.property.test.ts has that property apart).
 */
export const boundedHostileString = hostileText(1000);

// ---------------------------------------------------------------------------------------------
// JSON text (built as text: numbers such as 1e400 have no JavaScript value that prints as them)

const NUMBER_TOKENS = [
  "1e400",
  "-1e400",
  "1E-400",
  "18446744073709551616",
  "-9223372036854775809",
  "9007199254740993",
  "2147483648",
  "-2147483649",
  "4294967296",
  "0.5",
  "-0",
  "1e2",
  "0e0",
  "1.0",
];
const jsonNumber = fc.oneof(
  fc.constantFrom(...NUMBER_TOKENS),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const jsonString = fc.oneof(
  { arbitrary: hostileString.map((s) => JSON.stringify(s)), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      '"\\u0000"',
      '"\\ud800"',
      '"\\udc00\\ud800"',
      '"a\\u0000b"',
      '"\\uFFFF"',
      '""',
    ),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom('"EMAIL"', '"SMS"', '"PHONE"', '"CONTACT_METHOD_UNSPECIFIED"', '"email"'),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      '"1970-01-01T00:00:00Z"',
      '"9999-12-31T23:59:59.999999999Z"',
      '"0000-01-01T00:00:00Z"',
    ),
    weight: 1,
  },
  { arbitrary: fc.uuid().map((u) => JSON.stringify(u)), weight: 1 },
);

/** The proto and JSON names of the fields of `descs`: what JSON bodies and query parameters may name. */
export function fieldNames(...descs: DescMessage[]): string[] {
  return [...new Set(descs.flatMap((d) => d.fields.flatMap((f) => [f.name, f.jsonName])))];
}

/** Field names a request-shaped JSON object uses: at its top level, and in the objects nested in it. */
export interface JsonShape {
  top: readonly string[];
  nested: readonly string[];
}

/** JSON keys: mostly the shape's field names, sometimes prototype-polluting names or hostile text. */
function jsonKey(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...names), weight: 18 },
    {
      arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "@type"),
      weight: 1,
    },
    { arbitrary: hostileString, weight: 1 },
  );
}

/** JSON text of request-shaped objects with values of every JSON type, some unrepresentable. */
function hostileJsonText(shape: JsonShape): fc.Arbitrary<string> {
  const object = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>, maxLength: number) =>
    fc
      .array(fc.tuple(key, value), { maxLength })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      jsonString,
      jsonNumber,
      fc.constantFrom("true", "false", "null"),
      fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
      object(jsonKey(shape.nested), tie("value"), 5),
    ),
  }));
  return object(jsonKey(shape.top), value, 8);
}

/** Byte sequences that are not UTF-8: overlong forms, surrogates, out-of-range, truncated and stray bytes. */
const INVALID_UTF8 = [
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
].map((bytes) => Uint8Array.from(bytes));

/** `text` as UTF-8 with an invalid byte sequence spliced in somewhere (often inside a string). */
function withInvalidUtf8(text: string): fc.Arbitrary<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  return fc
    .record({ at: fc.integer({ min: 0, max: bytes.length }), bad: fc.constantFrom(...INVALID_UTF8) })
    .map(({ at, bad }) => Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]));
}

/** Nesting far deeper than any real body, 1,000 to 100,000 levels, inside a field, bare, or unclosed. */
export function deeplyNested(field: string): fc.Arbitrary<string> {
  return fc
    .record({ depth: fc.integer({ min: 1000, max: 100_000 }), shape: fc.nat(5) })
    .map(({ depth, shape }) => {
      const arrays = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      const objects = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      const same = `${`{"${field}":`.repeat(depth)}{}${"}".repeat(depth)}`;
      switch (shape) {
        case 0:
          return `{"${field}":${arrays}}`;
        case 1:
          return `{"${field}":${objects}}`;
        case 2:
          return arrays;
        case 3:
          return same;
        case 4:
          return `{"${field}":${"[".repeat(depth)}`;
        default:
          return `{"address":${objects}}`;
      }
    });
}

/** Request bodies: hostile JSON (whole, truncated, or with invalid UTF-8), JSON of any shape, random text and bytes. */
export function hostileBody(shape: JsonShape): fc.Arbitrary<Uint8Array> {
  const text = hostileJsonText(shape);
  const utf8 = (s: string) => Buffer.from(s, "utf8");
  return fc.oneof(
    { arbitrary: text.map(utf8), weight: 6 },
    { arbitrary: text.chain(withInvalidUtf8), weight: 2 },
    {
      arbitrary: fc.tuple(text, fc.nat()).map(([t, cut]) => utf8(t.slice(0, cut % (t.length + 1)))),
      weight: 1,
    },
    { arbitrary: fc.json({ stringUnit: "binary", maxDepth: 4 }).map(utf8), weight: 2 },
    { arbitrary: hostileString.map(utf8), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Query strings and path segments, as raw request-target text

const PERCENT_TOKENS = [
  "%ZZ",
  "%",
  "%4",
  "%G0",
  "%%",
  "%C0%80",
  "%C1%BF",
  "%ED%A0%80",
  "%F4%90%80%80",
  "%00",
  "%FF",
  "%FE%FF",
  "%E2%82",
  "%2B",
  "%26",
  "%3D",
  "%25",
  "%2F",
  "%3F",
  "%23",
  "%20",
];
const URL_SAFE = [..."ABCXYZabcxyz0123456789-._~!$'()*,;:@"];

/** A token of raw request-target text: safe characters, valid and invalid percent-encoding. */
function urlToken(extra: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...URL_SAFE, ...extra), weight: 12 },
    // Any code point, correctly percent-encoded as UTF-8: NUL, controls, emoji, non-characters.
    {
      arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).map(encodeURIComponent),
      weight: 4,
    },
    {
      arbitrary: fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0")}`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...PERCENT_TOKENS), weight: 1 },
  );
}

/** A raw path segment (no `/`, `?` or `#`), hostile or an id-shaped value. */
export const pathSegment = fc.oneof(
  { arbitrary: fc.array(urlToken([]), { minLength: 1, maxLength: 16 }).map((t) => t.join("")), weight: 4 },
  { arbitrary: fc.uuid(), weight: 1 },
);

/** Query-parameter values that mean something to a search: numbers out of range, emails, phones, tokens. */
const MEANINGFUL_VALUES = [
  "1e400",
  "18446744073709551616",
  "2147483648",
  "-1",
  "-2147483649",
  "0x10",
  "1.5",
  "NaN",
  "Infinity",
  "ada@example.com",
  "%2B14155552671",
  "(415)%20555-2671",
  "true",
  "*",
  "first_name,address.city",
  "a.b",
  "eyJ2IjoxfQ.AAAA",
];

/** A raw query string over `keys` (the request's parameters) and hostile ones, values of every kind. */
export function hostileQuery(keys: readonly string[]): fc.Arbitrary<string> {
  const raw = fc.array(urlToken(["+", "/", "?"]), { maxLength: 14 }).map((t) => t.join(""));
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...keys), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        "__proto__",
        "constructor",
        "customer.firstName",
        "a.b.c",
        "pageSize.x",
        "updateMask",
      ),
      weight: 1,
    },
    { arbitrary: raw, weight: 2 },
  );
  const value = fc.oneof(
    { arbitrary: raw, weight: 3 },
    { arbitrary: fc.constantFrom(...MEANINGFUL_VALUES), weight: 1 },
  );
  const pair = fc
    .tuple(key, fc.option(value, { nil: undefined }), fc.boolean())
    .map(([k, v, equals]) => (v === undefined ? (equals ? `${k}=` : k) : `${k}=${v}`));
  return fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join("&"));
}

/**
 * Well-formed query strings of search text (any code points but lone surrogates, correctly
 * percent-encoded), over `keys`: searches that get past decoding and reach the database.
 */
export function searchQuery(keys: readonly string[]): fc.Arbitrary<string> {
  const text = fc.oneof(
    { arbitrary: fc.string({ unit: "binary", maxLength: 20 }), weight: 4 },
    { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        "%",
        "_",
        "\\",
        "'",
        "%_\\'",
        "\u0130",
        "\u0131",
        "\u00df",
        "x".repeat(3000),
      ),
      weight: 1,
    },
  );
  const pair = fc.tuple(fc.constantFrom(...keys), text).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return fc.array(pair, { minLength: 1, maxLength: 3 }).map((pairs) => pairs.join("&"));
}

/** Header values a client may send (visible ASCII and Latin-1, as HTTP allows), of any length up to 300. */
export const headerValue = fc.string({
  unit: fc
    .oneof(
      { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 9 },
      { arbitrary: fc.integer({ min: 0x80, max: 0xff }), weight: 1 },
    )
    .map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

// ---------------------------------------------------------------------------------------------
// Protobuf wire bytes

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

/** A varint, sometimes over-long (11 bytes) or cut off. */
const varintBytes = fc.oneof(
  { arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map(varint), weight: 8 },
  {
    arbitrary: fc.constant<number[]>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    weight: 1,
  },
  { arbitrary: fc.constant<number[]>([0x80]), weight: 1 },
);

/**
 * Protobuf-shaped bytes: fields numbered mostly like the request's (1–12), of any wire type including
 * the deprecated groups, with payloads that are random, invalid UTF-8, nested messages, or lengths
 * that lie.
 */
export function protobufLike(text: fc.Arbitrary<string> = hostileString): fc.Arbitrary<Uint8Array> {
  return fc
    .letrec<{ message: number[] }>((tie) => {
      const delimited = fc
        .tuple(
          fc.oneof(
            fc.uint8Array({ maxLength: 24 }).map((b) => [...b]),
            text.map((s) => [...Buffer.from(s, "utf8")]),
            fc.constantFrom(...INVALID_UTF8).map((b) => [0x41, ...b, 0x42]),
            tie("message"),
          ),
          fc.oneof(
            { arbitrary: fc.constant(0), weight: 9 },
            { arbitrary: fc.integer({ min: -3, max: 1000 }), weight: 1 },
          ),
        )
        .map(([payload, lie]) => [...varint(BigInt(Math.max(0, payload.length + lie))), ...payload]);
      const field = fc
        .record({
          number: fc.oneof(
            { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 9 },
            { arbitrary: fc.integer({ min: 0, max: 2 ** 29 - 1 }), weight: 1 },
          ),
          wire: fc.oneof(
            { arbitrary: fc.constantFrom(0, 1, 2, 5), weight: 9 },
            { arbitrary: fc.integer({ min: 3, max: 7 }), weight: 1 },
          ),
        })
        .chain(({ number, wire }) => {
          const tag = varint(BigInt(number) * 8n + BigInt(wire));
          const payload: fc.Arbitrary<number[]> =
            wire === 0
              ? varintBytes
              : wire === 1
                ? fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => [...b])
                : wire === 2
                  ? delimited
                  : wire === 5
                    ? fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => [...b])
                    : fc.constant<number[]>([]);
          return payload.map((p) => [...tag, ...p]);
        });
      return {
        message: fc.oneof(
          { depthSize: "small" },
          fc.constant<number[]>([]),
          fc.array(field, { maxLength: 6 }).map((fields) => fields.flat()),
        ),
      };
    })
    .message.map((bytes) => Uint8Array.from(bytes));
}

// ---------------------------------------------------------------------------------------------
// Well-formed messages with hostile content, for any request type

function scalarValue(
  field: DescField & { scalar: ScalarType },
  text: fc.Arbitrary<string>,
): fc.Arbitrary<unknown> {
  switch (field.scalar) {
    case ScalarType.STRING:
      return field.name.endsWith("_id") ? fc.oneof(fc.uuid(), text) : text;
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 16 });
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return fc.double();
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.nat({ max: 2 ** 32 - 1 });
    default:
      return fc.integer();
  }
}

/** An initialiser of `desc` with every field maybe set to an arbitrary value of its type (enums: any int32). */
function messageInit(
  desc: DescMessage,
  depth: number,
  text: fc.Arbitrary<string>,
  forJson = false,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of desc.fields) {
    // Well-known types have JSON forms of their own, which most of their values cannot take.
    if (forJson && field.message !== undefined && hasCustomJsonRepresentation(field.message)) continue;
    let value: fc.Arbitrary<unknown> | undefined;
    if (field.fieldKind === "scalar") value = scalarValue(field, text);
    else if (field.fieldKind === "enum")
      value = fc.oneof(fc.constantFrom(...field.enum.values.map((v) => v.number)), fc.integer());
    else if (field.fieldKind === "message" && depth < 3)
      value = messageInit(field.message, depth + 1, text, forJson);
    else if (field.fieldKind === "list" && field.listKind === "scalar")
      value = fc.array(scalarValue(field, text), { maxLength: 4 });
    else if (field.fieldKind === "list" && field.listKind === "enum") {
      value = fc.array(fc.oneof(fc.constantFrom(...field.enum.values.map((v) => v.number)), fc.integer()), {
        maxLength: 5,
      });
    } else if (field.fieldKind === "list" && field.listKind === "message" && depth < 3) {
      value = fc.array(messageInit(field.message, depth + 1, text, forJson), { maxLength: 2 });
    }
    if (value !== undefined) model[field.localName] = value;
  }
  return fc.record(model, { requiredKeys: [] });
}

/** Binary requests of type `desc` that decode, with hostile field values. */
export function hostileMessageBytes(
  desc: DescMessage,
  text: fc.Arbitrary<string> = hostileString,
): fc.Arbitrary<Uint8Array> {
  return messageInit(desc, 0, text).map((init) => toBinary(desc, create(desc, init)));
}

/** JSON requests of type `desc` whose every field has its JSON type, with hostile values (lone surrogates too). */
export function hostileMessageJson(desc: DescMessage): fc.Arbitrary<Uint8Array> {
  return messageInit(desc, 0, hostileString, true).map((init) =>
    Buffer.from(JSON.stringify(toJson(desc, create(desc, init)))),
  );
}

/** A gRPC length-prefixed envelope around `message`: flags 0, the true length. */
export function envelope(message: Uint8Array, flags = 0, length = message.byteLength): Uint8Array {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(length >>> 0, 1);
  return Buffer.concat([head, message]);
}

/** gRPC request bodies: one well-formed envelope around hostile or protobuf-like bytes, or a broken envelope. */
export function grpcBody(desc: DescMessage, text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  const message = fc.oneof(hostileMessageBytes(desc, text), protobufLike(text));
  const broken = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc
      .tuple(
        message,
        fc.integer({ min: 0, max: 255 }),
        fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
      )
      .map(([m, flags, length]) => envelope(m, flags, length)),
    fc.tuple(message, message).map(([a, b]) => Buffer.concat([envelope(a), envelope(b)])),
  );
  return fc.oneof(
    { arbitrary: message.map((m) => envelope(m)), weight: 3 },
    { arbitrary: broken, weight: 2 },
  );
}

/**
 * Whether `body` is one whole envelope flagged compressed (bit 0) and not a trailer frame: without a
 * grpc-encoding header, gRPC calls that a protocol error with status INTERNAL (grpc-go and connect-es
 * do; test/transport/grpc-as-connect.test.ts pins it for this server).
 */
export function isCompressedEnvelope(body: Uint8Array): boolean {
  if (body.length < 5) return false;
  const flags = body[0] as number;
  const length = Buffer.from(body.buffer, body.byteOffset, body.byteLength).readUInt32BE(1);
  return 5 + length === body.length && (flags & 0x80) === 0 && (flags & 0x01) === 1;
}
