import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Returns the development API key kept in `dataDir/dev-api-key`, creating it on first use, so a
 * local run with the embedded database works without configuration and keeps the same key.
 */
export async function loadOrCreateDevelopmentApiKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "dev-api-key");
  if (existsSync(file)) {
    const key = (await readFile(file, "utf8")).trim();
    if (key.length >= 16) return key;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = `dev_${randomBytes(24).toString("base64url")}`;
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}
