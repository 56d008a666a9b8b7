/** Writes docs/openapi.json, the committed copy of what GET /openapi.json serves (`npm run openapi`). */
import { writeFile } from "node:fs/promises";
import { CustomerService } from "../gen/customers/v1/customer_service_pb.js";
import { apiDocumentOf } from "../src/transport/openapi-routes.js";

await writeFile(
  new URL("../docs/openapi.json", import.meta.url),
  `${JSON.stringify(apiDocumentOf([CustomerService]), null, 2)}\n`,
);
