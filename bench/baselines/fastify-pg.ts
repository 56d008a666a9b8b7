// Baseline "fastify-pg": the REST half of the API as a Node team would write it by hand — Fastify 5
// over HTTP/1.1, a raw node-postgres pool, plain JSON — answering the same paths with the same JSON
// as the service (docs/api.md), so the service's REST, Connect and gRPC-web costs can be compared.
// Env: DATABASE_URL, API_KEYS (the first key is accepted), PORT, HOST, POOL_MAX.
import Fastify, { type FastifyReply } from "fastify";
import pg from "pg";
import { type FieldError, parseNewCustomer } from "./customer-input.js";
import { type SearchParams, type SearchResult, searchByAddress, searchByContact } from "./customer-search.js";
import { type CustomerRow, insertCustomer, SELECT_BY_ID } from "./customer-sql.js";

const env = process.env;
const expected = `Bearer ${(env.API_KEYS ?? "").split(",")[0]}`;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.POOL_MAX ?? 10) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 3339 in UTC as proto3 JSON writes a Timestamp: no fraction when it is zero. */
const timestamp = (d: Date) => d.toISOString().replace(".000Z", "Z");

/** A row as the API's proto3 JSON Customer (address left out when there is none). */
function customerJson(r: CustomerRow) {
  return {
    customerId: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    company: r.company,
    email: r.email,
    phone: r.phone,
    ...(r.address_line1 === null
      ? {}
      : {
          address: {
            line1: r.address_line1,
            line2: r.address_line2 ?? "",
            city: r.address_city ?? "",
            state: r.address_state ?? "",
            postalCode: r.address_postal_code ?? "",
            country: r.address_country ?? "",
          },
        }),
    preferredContactMethods: r.preferred_contact_methods,
    marketingEmailOptIn: r.marketing_email_opt_in,
    marketingSmsOptIn: r.marketing_sms_opt_in,
    createdAt: timestamp(r.created_at),
    updatedAt: timestamp(r.updated_at),
    // As the service's etag: the row version as a quoted strong entity tag.
    etag: `"${r.version}"`,
  };
}

function invalid(reply: FastifyReply, errors: FieldError[]) {
  return reply.code(400).send({
    error: { code: 400, status: "INVALID_ARGUMENT", message: "Invalid request.", fieldErrors: errors },
  });
}

function sendPage(reply: FastifyReply, result: SearchResult) {
  if ("invalid" in result)
    return invalid(
      reply,
      result.invalid.map((field) => ({ field, code: "INVALID_FORMAT" })),
    );
  if (result.rows.length === 0) return reply.code(204).send();
  return { customers: result.rows.map(customerJson), nextPageToken: result.nextPageToken };
}

const app = Fastify({ logger: false });

app.addHook("onRequest", async (req, reply) => {
  if (req.url.startsWith("/v1/") && req.headers.authorization !== expected) {
    return reply
      .code(401)
      .header("www-authenticate", "Bearer")
      .send({ error: { code: 401, status: "UNAUTHENTICATED", message: "Invalid credentials." } });
  }
});

app.get("/readyz", async () => {
  await pool.query("select 1");
  return { status: "ok" };
});

app.get<{ Params: { id: string } }>("/v1/customers/id/:id", async (req, reply) => {
  if (!UUID.test(req.params.id)) return invalid(reply, [{ field: "customerId", code: "INVALID_FORMAT" }]);
  const { rows } = await pool.query<CustomerRow>(SELECT_BY_ID, [req.params.id]);
  const row = rows[0];
  return row ? customerJson(row) : reply.code(204).send();
});

app.post("/v1/customers", async (req, reply) => {
  const parsed = parseNewCustomer(req.body);
  if ("errors" in parsed) return invalid(reply, parsed.errors);
  const { rows } = await pool.query<CustomerRow>(insertCustomer(parsed.customer));
  const row = rows[0] as CustomerRow;
  return reply.code(201).header("location", `/v1/customers/id/${row.id}`).send(customerJson(row));
});

app.get<{ Querystring: SearchParams }>("/v1/customers/search", async (req, reply) =>
  sendPage(reply, await searchByContact(pool, req.query)),
);

app.get<{ Querystring: SearchParams }>("/v1/customers/by-address", async (req, reply) =>
  sendPage(reply, await searchByAddress(pool, req.query)),
);

await app.listen({ host: env.HOST ?? "127.0.0.1", port: Number(env.PORT ?? 0) });

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}
