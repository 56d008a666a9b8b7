// Baseline "grpc-js-pg": the gRPC half of the API as a Node team would write it by hand — a plain
// @grpc/grpc-js server with the .proto files loaded by @grpc/proto-loader and a raw node-postgres
// pool — implementing GetCustomer, CreateCustomer, SearchCustomers and SearchCustomersByAddress.
// Env: DATABASE_URL, API_KEYS (the first key is accepted), PORT, HOST, POOL_MAX.
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import pg from "pg";
import { parseNewCustomer } from "./customer-input.js";
import { type SearchParams, type SearchResult, searchByAddress, searchByContact } from "./customer-search.js";
import { type CustomerRow, insertCustomer, SELECT_BY_ID } from "./customer-sql.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const env = process.env;
const expected = `Bearer ${(env.API_KEYS ?? "").split(",")[0]}`;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.POOL_MAX ?? 10) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const definition = protoLoader.loadSync(path.join(ROOT, "proto/customers/v1/customer_service.proto"), {
  includeDirs: [
    path.join(ROOT, "proto"),
    path.join(ROOT, "node_modules/google-proto-files"),
    // buf/validate/validate.proto, printed by `npm run proto:deps` (scripts/protovalidate-proto.ts).
    path.join(ROOT, "node_modules/.cache/protovalidate-proto"),
  ],
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  customers: { v1: { CustomerService: grpc.ServiceClientConstructor } };
};

function timestamp(d: Date) {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** A row as the proto Customer message (proto-loader objects: camelCase, enums by name). */
function customerMessage(r: CustomerRow) {
  return {
    customerId: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    company: r.company,
    email: r.email,
    phone: r.phone,
    address:
      r.address_line1 === null
        ? null
        : {
            line1: r.address_line1,
            line2: r.address_line2 ?? "",
            city: r.address_city ?? "",
            state: r.address_state ?? "",
            postalCode: r.address_postal_code ?? "",
            country: r.address_country ?? "",
          },
    preferredContactMethods: r.preferred_contact_methods,
    marketingEmailOptIn: r.marketing_email_opt_in,
    marketingSmsOptIn: r.marketing_sms_opt_in,
    createdAt: timestamp(r.created_at),
    updatedAt: timestamp(r.updated_at),
    // As the service's etag: the row version as a quoted strong entity tag.
    etag: `"${r.version}"`,
  };
}

type Call = grpc.ServerUnaryCall<Record<string, unknown>, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

/** Wraps a handler with the credentials check and turns thrown errors into INTERNAL. */
function unary(handler: (request: Record<string, unknown>) => Promise<unknown>) {
  return (call: Call, callback: Callback) => {
    if (call.metadata.get("authorization")[0] !== expected) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: "Invalid credentials." });
      return;
    }
    handler(call.request).then(
      (response) => callback(null, response),
      (error: unknown) =>
        callback(
          typeof error === "object" && error !== null && "code" in error
            ? (error as grpc.ServiceError)
            : { code: grpc.status.INTERNAL, details: "Internal error." },
        ),
    );
  };
}

function invalid(fields: string[]): Partial<grpc.ServiceError> {
  return { code: grpc.status.INVALID_ARGUMENT, details: `Invalid fields: ${fields.join(", ")}.` };
}

function page(result: SearchResult) {
  if ("invalid" in result) throw invalid(result.invalid);
  return { customers: result.rows.map(customerMessage), nextPageToken: result.nextPageToken };
}

const server = new grpc.Server();
server.addService(loaded.customers.v1.CustomerService.service, {
  GetCustomer: unary(async (request) => {
    const id = String(request.customerId ?? "");
    if (!UUID.test(id)) throw invalid(["customer_id"]);
    const { rows } = await pool.query<CustomerRow>(SELECT_BY_ID, [id]);
    const row = rows[0];
    if (!row) throw { code: grpc.status.NOT_FOUND, details: `No customer has customerId ${id}.` };
    return customerMessage(row);
  }),
  CreateCustomer: unary(async (request) => {
    const parsed = parseNewCustomer(request.customer);
    if ("errors" in parsed) throw invalid(parsed.errors.map((e) => e.field));
    const { rows } = await pool.query<CustomerRow>(insertCustomer(parsed.customer));
    return customerMessage(rows[0] as CustomerRow);
  }),
  SearchCustomers: unary(async (request) => page(await searchByContact(pool, request as SearchParams))),
  SearchCustomersByAddress: unary(async (request) =>
    page(await searchByAddress(pool, request as SearchParams)),
  ),
});

server.bindAsync(
  `${env.HOST ?? "127.0.0.1"}:${env.PORT ?? 0}`,
  grpc.ServerCredentials.createInsecure(),
  (error, port) => {
    if (error) {
      console.error(`grpc-js-pg cannot listen: ${error.message}`);
      process.exit(1);
    }
    console.log(`grpc-js-pg listening on port ${port}`);
  },
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.tryShutdown(() => {
      void pool.end().finally(() => process.exit(0));
    });
  });
}
