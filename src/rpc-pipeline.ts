import type { Interceptor } from "@connectrpc/connect";
import type { ApiKeyVerifier } from "./auth/api-key-verifier.js";
import { createAuthInterceptor } from "./auth/auth-interceptor.js";
import { createErrorInterceptor } from "./errors/error-interceptor.js";

/**
 * The cross-cutting steps every API call goes through, outermost first: error mapping and logging,
 * then credentials. Connect (gRPC, gRPC-web, Connect) and the REST transcoder both run exactly
 * this list around the same service implementation.
 */
export function createRpcPipeline(verifyApiKey: ApiKeyVerifier): Interceptor[] {
  return [createErrorInterceptor(), createAuthInterceptor(verifyApiKey)];
}
