import type { Interceptor } from "@connectrpc/connect";
import { ApiError } from "../errors/api-error.js";
import type { ApiKeyVerifier } from "./api-key-verifier.js";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Rejects every RPC whose `authorization` header is not `Bearer <accepted key>` (UNAUTHENTICATED). */
export function createAuthInterceptor(verify: ApiKeyVerifier): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization");
    if (header === null || header.trim() === "") {
      throw ApiError.unauthenticated(
        "MISSING_CREDENTIALS",
        "Missing credentials: send the header 'authorization: Bearer <api key>'.",
      );
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined || !verify(token)) {
      throw ApiError.unauthenticated(
        "INVALID_CREDENTIALS",
        "Invalid credentials: the API key is not accepted.",
      );
    }
    return next(req);
  };
}
