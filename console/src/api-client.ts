import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";

const CREDENTIAL_KEY = "customer-console.credential";

/** The credential lives in session storage only: it dies with the tab, never in localStorage or a cookie. */
export const credentialStore = {
  get: (): string => sessionStorage.getItem(CREDENTIAL_KEY) ?? "",
  set: (value: string): void => sessionStorage.setItem(CREDENTIAL_KEY, value),
  clear: (): void => sessionStorage.removeItem(CREDENTIAL_KEY),
};

const bearer: Interceptor = (next) => (req) => {
  const credential = credentialStore.get();
  if (credential !== "") req.header.set("authorization", `Bearer ${credential}`);
  return next(req);
};

/** The API over gRPC-web on the page's own origin, as any browser client would call it. */
export function createCustomerClient(): Client<typeof CustomerService> {
  const transport = createGrpcWebTransport({ baseUrl: window.location.origin, interceptors: [bearer] });
  return createClient(CustomerService, transport);
}

/** What the console shows of a failed call. */
export interface CallFailure {
  code: Code;
  message: string;
  requestId: string;
  /** Server-side field violations, field paths as the API gives them (e.g. "customer.address.city"). */
  violations: { field: string; description: string }[];
}

export function failureOf(error: unknown): CallFailure {
  const connectError = ConnectError.from(error);
  const violations = connectError
    .findDetails(BadRequestSchema)
    .flatMap((bad) => bad.fieldViolations.map((v) => ({ field: v.field, description: v.description })));
  return {
    code: connectError.code,
    message: messageFor(connectError),
    requestId: connectError.metadata.get("x-request-id") ?? "",
    violations,
  };
}

function messageFor(error: ConnectError): string {
  switch (error.code) {
    case Code.Unauthenticated:
      return `Not signed in: the credential was refused (401). ${error.rawMessage}`;
    case Code.PermissionDenied:
      return `This credential may not do that (403); editing is disabled. ${error.rawMessage}`;
    case Code.Aborted:
      return `Someone else changed this customer since you opened it; nothing was saved. Reopen the customer and make your change again. (${error.rawMessage})`;
    case Code.NotFound:
      return `Not found. ${error.rawMessage}`;
    default:
      return `${Code[error.code]}: ${error.rawMessage}`;
  }
}
