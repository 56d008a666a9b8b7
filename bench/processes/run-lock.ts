// One benchmark at a time per checkout: two runs on the same few cores measure each other's load,
// so a second run waits for the first (a lock file holding the owner's pid; a dead owner's is taken).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { onCleanup } from "./cleanup.js";

function ownerAlive(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Takes the lock, waiting up to `maxWaitMs` for another live run to finish. */
export async function acquireRunLock(
  file: string,
  maxWaitMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (let announced = false; ; ) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = ownerAlive(file);
    if (owner === undefined) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another benchmark (pid ${owner}) is still running; giving up`);
    if (!announced) log(`waiting for the benchmark already running (pid ${owner}) to finish`);
    announced = true;
    await delay(2_000);
  }
  onCleanup("run lock", () => {
    if (ownerAlive(file) === process.pid) rmSync(file, { force: true });
  });
}
