// The test-only schema of the transcoding tests: test/v1/shelf.proto, built as a FileDescriptorProto at
// run time, so the code under test is seen to read nothing but annotations that have nothing to do with
// customers.
import {
  create,
  createFileRegistry,
  type DescFile,
  type DescService,
  type FileRegistry,
  type MessageInitShape,
  setExtension,
} from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  type DescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  type MethodDescriptorProtoSchema,
  MethodOptionsSchema,
  type ServiceDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { file_google_api_annotations, http } from "../../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../../gen/google/api/http_pb.js";
import {
  file_transcoding_v1_http_response,
  HttpResponseSchema,
  http_response,
} from "../../../gen/transcoding/v1/http_response_pb.js";

const T = FieldDescriptorProto_Type;
type MessageInit = MessageInitShape<typeof DescriptorProtoSchema>;
/** A method of a test service, as the descriptor's MethodDescriptorProto init. */
export type MethodInit = MessageInitShape<typeof MethodDescriptorProtoSchema>;
type ServiceInit = MessageInitShape<typeof ServiceDescriptorProtoSchema>;
type RuleInit = MessageInitShape<typeof HttpRuleSchema>;
type ResponseInit = MessageInitShape<typeof HttpResponseSchema>;
/** [proto name, scalar type or fully-qualified message type, "repeated"?]; numbered in order. */
type FieldSpec = [string, FieldDescriptorProto_Type | string, "repeated"?];

/** Declares a message in package test.v1 whose fields are numbered in the order given. */
export function message(name: string, ...specs: FieldSpec[]): MessageInit {
  return {
    name,
    field: specs.map(([fieldName, type, repeated], i) => ({
      name: fieldName,
      number: i + 1,
      label: repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL,
      // protoc always sets json_name; protobuf-es leaves it empty when the descriptor lacks it.
      jsonName: protoCamelCase(fieldName),
      ...(typeof type === "string" ? { type: T.MESSAGE, typeName: type } : { type }),
    })),
  };
}

/**
 * Declares a method taking and returning test.v1 types (an output starting with "." is fully qualified),
 * with its google.api.http rule and http_response option when given.
 */
export function rpc(
  name: string,
  input: string,
  output: string,
  rule?: RuleInit,
  response?: ResponseInit,
  streaming?: "server-streaming",
): MethodInit {
  const options = create(MethodOptionsSchema);
  if (rule) setExtension(options, http, create(HttpRuleSchema, rule));
  if (response) setExtension(options, http_response, create(HttpResponseSchema, response));
  return {
    name,
    inputType: `.test.v1.${input}`,
    outputType: output.startsWith(".") ? output : `.test.v1.${output}`,
    options,
    serverStreaming: streaming === "server-streaming",
  };
}

/** The files a test/v1 file imports, by import path. */
const DEPENDENCIES: Record<string, DescFile> = {
  "google/api/annotations.proto": file_google_api_annotations,
  "google/protobuf/field_mask.proto": file_google_protobuf_field_mask,
  "google/protobuf/empty.proto": file_google_protobuf_empty,
  "transcoding/v1/http_response.proto": file_transcoding_v1_http_response,
};

/** Every message of the test schema: books on shelves, files, and the requests and responses of the RPCs. */
export const SHELF_MESSAGES: MessageInit[] = [
  message(
    "Book",
    ["name", T.STRING],
    ["title", T.STRING],
    ["location", ".test.v1.Location"],
    ["tags", T.STRING, "repeated"],
    ["page_count", T.INT32],
  ),
  message("Location", ["city", T.STRING], ["room_number", T.STRING]),
  message("GetBookRequest", ["name", T.STRING], ["view", T.STRING]),
  message("GetBookResponse", ["book", ".test.v1.Book"], ["etag", T.STRING]),
  message("DeleteBookRequest", ["name", T.STRING]),
  message("ArchiveBookRequest", ["name", T.STRING]),
  message("MoveBookRequest", ["name", T.STRING], ["destination_shelf", T.STRING]),
  message("ListFilesRequest", ["path", T.STRING], ["page_size", T.INT32]),
  message("ListFilesResponse", ["files", T.STRING, "repeated"]),
  message(
    "UpdateBookRequest",
    ["book", ".test.v1.Book"],
    ["update_mask", ".google.protobuf.FieldMask"],
    ["ids", T.STRING, "repeated"],
    ["validate_only", T.BOOL],
  ),
  message("CreateBookRequest", ["shelf", T.STRING], ["book", ".test.v1.Book"], ["book_id", T.STRING]),
  message("GetShelfRequest", ["name", T.STRING]),
  message("Shelf", ["name", T.STRING], ["theme", T.STRING]),
  message("ListBooksRequest", ["parent", T.STRING], ["page_size", T.INT32]),
  message("ListBooksResponse", ["books", ".test.v1.Book", "repeated"], ["next_page_token", T.STRING]),
  message("WatchBooksRequest", ["parent", T.STRING]),
  message("SearchBooksRequest", ["parent", T.STRING], ["title_prefix", T.STRING]),
  message("SetTitleRequest", ["name", T.STRING], ["title", T.STRING]),
  message("ThingRequest", ["x", T.STRING], ["y", T.STRING]),
];

/** The path template of one book, bound to the request's `name`. */
export const BOOK = "/v1/{name=shelves/*/books/*}";

/** The methods of ShelfService, one by one, for tests that compose a service of their own. */
export const shelfRpc = {
  getBook: rpc("GetBook", "GetBookRequest", "GetBookResponse", {
    pattern: { case: "get", value: BOOK },
    responseBody: "book",
  }),
  deleteBook: rpc("DeleteBook", "DeleteBookRequest", ".google.protobuf.Empty", {
    pattern: { case: "delete", value: BOOK },
  }),
  // A custom verb that HTTP parsers know (RFC 5323 SEARCH), with a body.
  searchBooks: rpc("SearchBooks", "SearchBooksRequest", "ListBooksResponse", {
    pattern: { case: "custom", value: { kind: "SEARCH", path: "/v1/{parent=shelves/*}/books" } },
    body: "*",
  }),
  moveBook: rpc("MoveBook", "MoveBookRequest", "Book", {
    pattern: { case: "post", value: `${BOOK}:move` },
    body: "*",
  }),
  listFiles: rpc("ListFiles", "ListFilesRequest", "ListFilesResponse", {
    pattern: { case: "get", value: "/v1/files/{path=**}" },
  }),
  updateBook: rpc("UpdateBook", "UpdateBookRequest", "Book", {
    pattern: { case: "patch", value: "/v1/{book.name=shelves/*/books/*}" },
    body: "book",
    additionalBindings: [
      { pattern: { case: "put", value: "/v1/{book.name=shelves/*/books/*}" }, body: "book" },
      { pattern: { case: "post", value: "/v1/{book.name=shelves/*/books/*}:update" }, body: "*" },
    ],
  }),
  createBook: rpc(
    "CreateBook",
    "CreateBookRequest",
    "Book",
    { pattern: { case: "post", value: "/v1/shelves/{shelf}/books" }, body: "book" },
    { successStatus: 201, location: "/v1/{name}" },
  ),
  getShelf: rpc(
    "GetShelf",
    "GetShelfRequest",
    "Shelf",
    { pattern: { case: "get", value: "/v1/{name=shelves/*}" } },
    { notFoundAsNoContent: true },
  ),
  listBooks: rpc(
    "ListBooks",
    "ListBooksRequest",
    "ListBooksResponse",
    { pattern: { case: "get", value: "/v1/{parent=shelves/*}/books" } },
    { noContentWhenEmpty: "books" },
  ),
  // A body bound to a scalar field: the body is that field's JSON value.
  setTitle: rpc("SetTitle", "SetTitleRequest", "Book", {
    pattern: { case: "put", value: `${BOOK}/title` },
    body: "title",
  }),
  // Streaming, without google.api.http: served by Connect only, not a REST route.
  watchBooks: rpc("WatchBooks", "WatchBooksRequest", "Book", undefined, undefined, "server-streaming"),
} satisfies Record<string, MethodInit>;

/** Builds test/v1/<fileName>.proto with every message of the test schema and the given services. */
export function buildShelfFile(fileName: string, services: ServiceInit[]): FileRegistry {
  return createFileRegistry(
    create(FileDescriptorProtoSchema, {
      name: `test/v1/${fileName}.proto`,
      package: "test.v1",
      syntax: "proto3",
      dependency: Object.keys(DEPENDENCIES),
      messageType: SHELF_MESSAGES,
      service: services,
    }),
    (name) => DEPENDENCIES[name],
  );
}

/** Returns the service test.v1.<name> of a registry, or throws when it was not built. */
export function serviceIn(registry: FileRegistry, name: string): DescService {
  const desc = registry.getService(`test.v1.${name}`);
  if (!desc) throw new Error(`test.v1.${name} not built`);
  return desc;
}

/** Builds test/v1/<service>.proto with one service `service` and returns the service. */
export function buildService(service: string, methods: MethodInit[]): DescService {
  return serviceIn(buildShelfFile(service.toLowerCase(), [{ name: service, method: methods }]), service);
}

/** test/v1/shelf.proto with ShelfService and the services the transcoder's start-up checks need. */
export const shelfFile: FileRegistry = buildShelfFile("shelf", [
  {
    name: "ShelfService",
    // Every method of shelfRpc, in the order declared there.
    method: Object.values(shelfRpc),
  },
  {
    // Annotated, never implemented.
    name: "CatalogService",
    method: [rpc("GetThing", "ThingRequest", "Shelf", { pattern: { case: "get", value: "/v1/things/{x}" } })],
  },
  {
    // A custom verb no HTTP/1.1 parser (nor Fastify, nor light-my-request) accepts.
    name: "ArchiveService",
    method: [
      rpc("ArchiveBook", "ArchiveBookRequest", "Book", {
        pattern: { case: "custom", value: { kind: "ARCHIVE", path: "/v1/archive/{name=shelves/*/books/*}" } },
      }),
    ],
  },
  {
    // Two RPCs whose templates match the same requests.
    name: "ConflictService",
    method: [
      rpc("GetA", "ThingRequest", "Shelf", { pattern: { case: "get", value: "/v1/things/{x}" } }),
      rpc("GetB", "ThingRequest", "Shelf", { pattern: { case: "get", value: "/v1/things/{y}" } }),
    ],
  },
]);

/**
 * test.v1.ShelfService: every kind of binding (response_body, custom verb, :verb, **, body field, additional
 * bindings, response rules) and one unannotated streaming method.
 */
export const ShelfService = serviceIn(shelfFile, "ShelfService");
/** test.v1.CatalogService: one annotated RPC whose route nothing implements. */
export const CatalogService = serviceIn(shelfFile, "CatalogService");
/** test.v1.ArchiveService: one RPC bound to a custom verb (ARCHIVE) no HTTP server can receive. */
export const ArchiveService = serviceIn(shelfFile, "ArchiveService");
/** test.v1.ConflictService: two RPCs whose bindings match the same requests. */
export const ConflictService = serviceIn(shelfFile, "ConflictService");
