import type { DescService } from "@bufbuild/protobuf";
import type { FastifyInstance } from "fastify";
import { type OpenApiDocument, openApiDocument } from "../transcoding/openapi-document.js";
import { registerApiReference } from "./api-reference-routes.js";

/** Title and version of the published document; docs/openapi.json is generated with the same. */
export const OPENAPI_INFO = { title: "customer-api", version: "1.0.0" };

/** The OpenAPI document of the REST routes `services` get (the same bindings the router is built from). */
export function apiDocumentOf(services: readonly DescService[]): OpenApiDocument {
  return openApiDocument(services, OPENAPI_INFO);
}

/**
 * Serves GET /openapi.json without credentials, like health and reflection: it describes only the
 * public contract, and the reference page rendered from it at /docs. Built once at start-up, so a wrong annotation fails there, not on first fetch.
 */
export async function registerApiDocs(app: FastifyInstance, services: readonly DescService[]): Promise<void> {
  const document = JSON.stringify(apiDocumentOf(services));
  app.get("/openapi.json", async (_req, reply) => reply.type("application/json").send(document));
  await registerApiReference(app);
}
