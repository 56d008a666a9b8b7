import {
  createRegistry,
  type DescFile,
  type DescService,
  type MessageInitShape,
  type Registry,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponseSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionAlpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

type ReflectionResponse = MessageInitShape<typeof ServerReflectionResponseSchema>;

/**
 * Serves gRPC server reflection (v1 and v1alpha) for `services`, so grpcurl, buf curl and Postman
 * can discover the API without local proto files. No maintained Connect implementation exists.
 */
export function addReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const all = [...services, ServerReflection, ServerReflectionAlpha];
  const files = new Map<string, DescFile>();
  for (const service of all)
    for (const file of withDependencies(service.file)) files.set(file.proto.name, file);
  const registry = createRegistry(...files.values());
  const names = all.map((service) => ({ name: service.typeName }));
  const respond = (req: ServerReflectionRequest): ReflectionResponse => {
    const base = { validHost: req.host, originalRequest: req };
    const reply = (file: DescFile | undefined) =>
      file
        ? {
            ...base,
            messageResponse: {
              case: "fileDescriptorResponse" as const,
              value: {
                fileDescriptorProto: withDependencies(file).map((f) =>
                  toBinary(FileDescriptorProtoSchema, f.proto),
                ),
              },
            },
          }
        : notFound(base, "not found");
    const r = req.messageRequest;
    switch (r.case) {
      case "listServices":
        return { ...base, messageResponse: { case: "listServicesResponse", value: { service: names } } };
      case "fileByFilename":
        return reply(files.get(r.value));
      case "fileContainingSymbol":
        return reply(fileOfSymbol(registry, r.value));
      case "fileContainingExtension": {
        const ext = [...registry].find(
          (d) =>
            d.kind === "extension" &&
            d.extendee.typeName === r.value.containingType &&
            d.number === r.value.extensionNumber,
        );
        return reply(ext?.file);
      }
      case "allExtensionNumbersOfType": {
        const numbers = [...registry]
          .filter((d) => d.kind === "extension" && d.extendee.typeName === r.value)
          .map((d) => (d.kind === "extension" ? d.number : 0));
        return {
          ...base,
          messageResponse: {
            case: "allExtensionNumbersResponse",
            value: { baseTypeName: r.value, extensionNumber: numbers },
          },
        };
      }
      default:
        return notFound(base, "unsupported reflection request");
    }
  };
  const impl = {
    async *serverReflectionInfo(requests: AsyncIterable<ServerReflectionRequest>) {
      for await (const request of requests) yield respond(request);
    },
  };
  router.service(ServerReflection, impl);
  // v1alpha messages have the same fields and numbers as v1.
  router.service(ServerReflectionAlpha, impl as never);
}

function notFound(base: object, message: string): ReflectionResponse {
  return {
    ...base,
    messageResponse: { case: "errorResponse", value: { errorCode: 5, errorMessage: message } },
  };
}

/** The file defining a fully-qualified symbol, also for `Service.Method` and `Message.field`. */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const found = registry.get(symbol);
  if (found) return found.file;
  const parent = symbol.slice(0, Math.max(0, symbol.lastIndexOf(".")));
  return parent === "" ? undefined : registry.get(parent)?.file;
}

/** The file followed by all its transitive imports, each once. */
function withDependencies(file: DescFile): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (f: DescFile) => {
    if (seen.has(f.name)) return;
    seen.set(f.name, f);
    for (const dep of f.dependencies) visit(dep);
  };
  visit(file);
  return [...seen.values()];
}
