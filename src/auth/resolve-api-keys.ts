import type { Config } from "../config.js";
import type { ApiKey } from "./api-key-list.js";
import { loadOrCreateDevelopmentApiKey } from "./development-api-key.js";
import { SCOPES } from "./scope.js";

/** The keys the service accepts, and the development key when it made or reused one. */
export interface ResolvedApiKeys {
  keys: ApiKey[];
  developmentKey?: string;
}

/**
 * API_KEYS as configured when any credential is configured (API keys or JWT); otherwise, with the
 * embedded database only, the development key kept in DATA_DIR, with every scope (loadConfig
 * already refuses an external database without credentials).
 */
export async function resolveApiKeys(config: Config): Promise<ResolvedApiKeys> {
  if (config.apiKeys.length > 0 || config.jwt !== undefined) return { keys: config.apiKeys };
  if (config.databaseUrl !== undefined) {
    throw new Error("API_KEYS or JWT_JWKS_FILE/JWT_JWKS_URL must be set with an external DATABASE_URL");
  }
  const developmentKey = await loadOrCreateDevelopmentApiKey(config.dataDir);
  return { keys: [{ key: developmentKey, subject: "api-key#dev", scopes: [...SCOPES] }], developmentKey };
}
