import type { Config } from "../config.js";
import { loadOrCreateDevelopmentApiKey } from "./development-api-key.js";

/** The keys the service accepts, and the development key when it made or reused one. */
export interface ResolvedApiKeys {
  keys: string[];
  developmentKey?: string;
}

/**
 * API_KEYS when set; otherwise, with the embedded database only, the development key kept in
 * DATA_DIR (loadConfig already refuses an external database without API_KEYS).
 */
export async function resolveApiKeys(config: Config): Promise<ResolvedApiKeys> {
  if (config.apiKeys.length > 0) return { keys: config.apiKeys };
  if (config.databaseUrl !== undefined) throw new Error("API_KEYS must be set with an external DATABASE_URL");
  const developmentKey = await loadOrCreateDevelopmentApiKey(config.dataDir);
  return { keys: [developmentKey], developmentKey };
}
