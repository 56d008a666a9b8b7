import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { DurationSchema, file_google_protobuf_duration } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { UpdateCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  file_google_rpc_error_details,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { ApiError } from "../../src/errors/api-error.js";
import { codeName as statusNameOf } from "../../src/errors/code-name.js";
import { connectErrorFrom, ERROR_DOMAIN } from "../../src/errors/connect-error-from.js";
import { HTTP_STATUS_OF_CODE } from "../../src/errors/http-status.js";
import { restErrorOf } from "../../src/errors/rest-error-body.js";
import { protoPathToJsonPath } from "../../src/transcoding/field-paths.js";

const registry = createRegistry(file_google_rpc_error_details);
const identity = (path: string) => path;

// The canonical google.rpc.Code table (google/rpc/code.proto), which docs/transcoding.md repeats.
const CANONICAL: [code: Code, name: string, status: number][] = [
  [Code.Canceled, "CANCELLED", 499],
  [Code.Unknown, "UNKNOWN", 500],
  [Code.InvalidArgument, "INVALID_ARGUMENT", 400],
  [Code.DeadlineExceeded, "DEADLINE_EXCEEDED", 504],
  [Code.NotFound, "NOT_FOUND", 404],
  [Code.AlreadyExists, "ALREADY_EXISTS", 409],
  [Code.PermissionDenied, "PERMISSION_DENIED", 403],
  [Code.ResourceExhausted, "RESOURCE_EXHAUSTED", 429],
  [Code.FailedPrecondition, "FAILED_PRECONDITION", 400],
  [Code.Aborted, "ABORTED", 409],
  [Code.OutOfRange, "OUT_OF_RANGE", 400],
  [Code.Unimplemented, "UNIMPLEMENTED", 501],
  [Code.Internal, "INTERNAL", 500],
  [Code.Unavailable, "UNAVAILABLE", 503],
  [Code.DataLoss, "DATA_LOSS", 500],
  [Code.Unauthenticated, "UNAUTHENTICATED", 401],
];

describe("HTTP_STATUS_OF_CODE and statusNameOf", () => {
  it("covers exactly the 16 non-OK codes", () => {
    expect(CANONICAL.map(([code]) => code).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    expect(
      Object.keys(HTTP_STATUS_OF_CODE)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(CANONICAL.map(([code]) => code).sort((a, b) => a - b));
  });

  it.each(CANONICAL)("code %i is %s, HTTP %i", (code, name, status) => {
    expect(HTTP_STATUS_OF_CODE[code]).toBe(status);
    expect(statusNameOf(code)).toBe(name);
  });

  it.each(CANONICAL)(
    "restErrorOf answers code %i (%s) with HTTP %i and that status name",
    (code, name, status) => {
      const { status: httpStatus, body } = restErrorOf(
        new ConnectError("boom", code),
        "r-1",
        registry,
        identity,
      );
      expect(httpStatus).toBe(status);
      expect(body.error.code).toBe(status);
      expect(body.error.status).toBe(name);
    },
  );
});

describe("restErrorOf: the error body", () => {
  it("renders a validation error: message, request id, translated field errors, every detail with @type", () => {
    const { error } = connectErrorFrom(
      ApiError.invalidArgument([
        { field: "customer.first_name", code: "REQUIRED", description: "firstName is required." },
        { field: "customer.address.postal_code", code: "TOO_LONG", description: "postalCode is too long." },
        { field: "update_mask", code: "NOT_ALLOWED", description: "updateMask names an unknown field." },
      ]),
      "req-42",
    );
    const translated: string[] = [];
    const { status, body } = restErrorOf(error, "req-42", registry, (path) => {
      translated.push(path);
      return protoPathToJsonPath(UpdateCustomerRequestSchema, path);
    });
    expect(translated).toEqual(["customer.first_name", "customer.address.postal_code", "update_mask"]);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        code: 400,
        status: "INVALID_ARGUMENT",
        message: "3 fields are invalid.",
        requestId: "req-42",
        fieldErrors: [
          { field: "customer.firstName", code: "REQUIRED", message: "firstName is required." },
          { field: "customer.address.postalCode", code: "TOO_LONG", message: "postalCode is too long." },
          { field: "updateMask", code: "NOT_ALLOWED", message: "updateMask names an unknown field." },
        ],
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            // Details are the gRPC payload in proto3 JSON: the proto paths stay as they are.
            fieldViolations: [
              { field: "customer.first_name", description: "firstName is required.", reason: "REQUIRED" },
              {
                field: "customer.address.postal_code",
                description: "postalCode is too long.",
                reason: "TOO_LONG",
              },
              {
                field: "update_mask",
                description: "updateMask names an unknown field.",
                reason: "NOT_ALLOWED",
              },
            ],
          },
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "INVALID_INPUT",
            domain: ERROR_DOMAIN,
          },
          { "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: "req-42" },
        ],
      },
    });
  });

  it.each<[label: string, thrown: unknown, status: number, name: string, message: string, reason: string]>([
    [
      "an ApiError.notFound",
      ApiError.notFound("No customer c-1."),
      404,
      "NOT_FOUND",
      "No customer c-1.",
      "NOT_FOUND",
    ],
    [
      "an ApiError.unauthenticated",
      ApiError.unauthenticated("MISSING_CREDENTIALS", "Send an API key.", 'Bearer realm="customer-api"'),
      401,
      "UNAUTHENTICATED",
      "Send an API key.",
      "MISSING_CREDENTIALS",
    ],
    [
      "an unexpected exception",
      new TypeError("x is undefined"),
      500,
      "INTERNAL",
      "Internal error. Quote the request id when reporting it.",
      "INTERNAL_ERROR",
    ],
    [
      "a ConnectError raised inside connect-es",
      new ConnectError("deadline passed", Code.DeadlineExceeded),
      504,
      "DEADLINE_EXCEEDED",
      "deadline passed",
      "DEADLINE_EXCEEDED",
    ],
  ])("renders %s with an empty fieldErrors array", (_label, thrown, status, name, message, reason) => {
    const { error } = connectErrorFrom(thrown, "req-7");
    const result = restErrorOf(error, "req-7", registry, () => {
      throw new Error("no field to translate");
    });
    expect(result).toEqual({
      status,
      body: {
        error: {
          code: status,
          status: name,
          message,
          requestId: "req-7",
          fieldErrors: [],
          details: [
            { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: ERROR_DOMAIN },
            { "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: "req-7" },
          ],
        },
      },
    });
  });

  it("uses the raw message (no [code] prefix) and always has fieldErrors and details arrays", () => {
    const error = new ConnectError("shelf is busy", Code.Aborted);
    expect(error.message).toBe("[aborted] shelf is busy");
    const { status, body } = restErrorOf(error, "req-9", registry, identity);
    expect(status).toBe(409);
    expect(body).toEqual({
      error: {
        code: 409,
        status: "ABORTED",
        message: "shelf is busy",
        requestId: "req-9",
        fieldErrors: [],
        details: [],
      },
    });
    expect(JSON.parse(JSON.stringify(body))).toHaveProperty("error.fieldErrors", []);
  });

  it("renders details of any message type in proto3 JSON, well-known types included", () => {
    const error = new ConnectError("slow down", Code.ResourceExhausted, undefined, [
      {
        desc: RetryInfoSchema,
        value: { retryDelay: create(DurationSchema, { seconds: 1n, nanos: 500_000_000 }) },
      },
      { desc: ErrorInfoSchema, value: { reason: "RATE_LIMITED", domain: "d", metadata: { limit: "10" } } },
    ]);
    const { status, body } = restErrorOf(error, "r", registry, identity);
    expect(status).toBe(429);
    expect(body.error.details).toEqual([
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.500s" },
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMITED",
        domain: "d",
        metadata: { limit: "10" },
      },
    ]);
  });

  it("decodes incoming (wire) details through the registry and skips types it does not know", () => {
    const error = new ConnectError("bad", Code.InvalidArgument);
    error.details = [
      {
        type: "google.rpc.BadRequest",
        value: toBinary(
          BadRequestSchema,
          create(BadRequestSchema, {
            fieldViolations: [
              { field: "page_size", description: "pageSize is negative.", reason: "OUT_OF_RANGE" },
            ],
          }),
        ),
      },
      {
        type: "google.protobuf.Duration",
        value: toBinary(DurationSchema, create(DurationSchema, { seconds: 3n })),
      },
      { type: "example.v1.Unregistered", value: new Uint8Array([8, 1]) },
    ];
    const { body } = restErrorOf(error, "r", registry, (path) => `<${path}>`);
    expect(body.error.fieldErrors).toEqual([
      { field: "<page_size>", code: "OUT_OF_RANGE", message: "pageSize is negative." },
    ]);
    // Duration is not in this registry either: only what the registry resolves is rendered.
    expect(body.error.details).toEqual([
      {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        fieldViolations: [
          { field: "page_size", description: "pageSize is negative.", reason: "OUT_OF_RANGE" },
        ],
      },
    ]);
    const withDuration = restErrorOf(
      error,
      "r",
      createRegistry(file_google_rpc_error_details, file_google_protobuf_duration),
      identity,
    );
    expect(withDuration.body.error.details.map((d) => d["@type"])).toEqual([
      "type.googleapis.com/google.rpc.BadRequest",
      "type.googleapis.com/google.protobuf.Duration",
    ]);
  });

  it("renders a well-known-type detail the way proto3 JSON renders it in an Any: its JSON under `value`", () => {
    const error = new ConnectError("retry later", Code.Unavailable, undefined, [
      { desc: DurationSchema, value: { seconds: 3n } },
    ]);
    const { body } = restErrorOf(error, "r", registry, identity);
    expect(body.error.details).toEqual([
      { "@type": "type.googleapis.com/google.protobuf.Duration", value: "3s" },
    ]);
  });

  it("collects field errors from every BadRequest detail, in order", () => {
    const error = new ConnectError("bad", Code.InvalidArgument, undefined, [
      {
        desc: BadRequestSchema,
        value: { fieldViolations: [{ field: "a", description: "A.", reason: "REQUIRED" }] },
      },
      {
        desc: BadRequestSchema,
        value: {
          fieldViolations: [
            { field: "b", description: "B.", reason: "TOO_LONG" },
            { field: "c", description: "C.", reason: "DUPLICATE" },
          ],
        },
      },
    ]);
    const { body } = restErrorOf(error, "r", registry, (path) => path.toUpperCase());
    expect(body.error.fieldErrors).toEqual([
      { field: "A", code: "REQUIRED", message: "A." },
      { field: "B", code: "TOO_LONG", message: "B." },
      { field: "C", code: "DUPLICATE", message: "C." },
    ]);
    expect(body.error.details).toHaveLength(2);
  });
});
