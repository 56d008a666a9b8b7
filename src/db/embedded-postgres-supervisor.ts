// Keeps the embedded PostgreSQL running: when it exits without being asked to (a crash, an OOM kill,
// an operator's kill), the exit is logged as an error and the server is started again, on the same
// port and data directory, after a back-off. The request path's pool then reconnects by itself, and
// /readyz (a query on that pool) answers 503 until it does. A deliberate stop is never restarted.
import type { FastifyBaseLogger } from "fastify";
import { type EmbeddedDatabase, startEmbeddedPostgres, watchPostmaster } from "./embedded-postgres.js";

/** A process to watch: `exited` settles when it is gone, for any reason. */
export interface WatchedProcess {
  pid?: number;
  exited: Promise<unknown>;
}

/** A replacement the supervisor started, and so stops. */
export interface StartedProcess extends WatchedProcess {
  stop(): Promise<void>;
}

/** Restart back-off: `initialDelayMs` doubling to `maxDelayMs`, back to the start once a run lasted `stableAfterMs`. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
}

/** The default back-off: 0.5 s, 1 s, 2 s … 30 s; reset after a minute up. */
export const DEFAULT_BACKOFF: Backoff = { initialDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/** Options for {@link supervise}. */
export interface SuperviseOptions {
  /** Names the process in log lines. */
  name: string;
  /** The process already running; whoever started it stops it. */
  running: WatchedProcess;
  /** Starts a replacement after an unexpected exit. */
  restart(): Promise<StartedProcess>;
  log: Pick<FastifyBaseLogger, "info" | "error">;
  backoff?: Partial<Backoff>;
}

/** A supervised process. */
export interface Supervisor {
  /** False from an unexpected exit until a replacement is running. */
  readonly up: boolean;
  /**
   * Stops supervising: no restart from now on, and a replacement the supervisor started is stopped.
   * Call it before stopping the original process, so that stop is not taken for a crash.
   */
  stop(): Promise<void>;
}

/** Watches `running` and restarts it with back-off whenever it exits before {@link Supervisor.stop}. */
export function supervise(options: SuperviseOptions): Supervisor {
  const { name, log } = options;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  let current: WatchedProcess | undefined = options.running;
  let owned: StartedProcess | undefined;
  let upSince = Date.now();
  let nextDelayMs = backoff.initialDelayMs;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const watch = (watched: WatchedProcess) => {
    void watched.exited.then(() => {
      if (stopping || current !== watched) return;
      current = undefined;
      const upMs = Date.now() - upSince;
      if (upMs >= backoff.stableAfterMs) nextDelayMs = backoff.initialDelayMs;
      log.error(
        { pid: watched.pid, upMs, restartInMs: nextDelayMs },
        `${name} exited unexpectedly; restarting it`,
      );
      schedule();
      // A replacement of ours that died is released (stop returns at once); the original is its owner's.
      const dead = owned;
      if (dead !== undefined && dead === watched) {
        owned = undefined;
        void dead.stop().catch(() => undefined);
      }
    });
  };

  const schedule = () => {
    const wait = nextDelayMs;
    nextDelayMs = Math.min(nextDelayMs * 2, backoff.maxDelayMs);
    timer = setTimeout(() => {
      timer = undefined;
      restarting = restart().finally(() => {
        restarting = undefined;
      });
    }, wait);
  };

  const restart = async () => {
    let replacement: StartedProcess;
    try {
      replacement = await options.restart();
    } catch (error) {
      if (stopping) return;
      log.error({ err: error, restartInMs: nextDelayMs }, `${name} did not start again; retrying`);
      schedule();
      return;
    }
    if (stopping) {
      await replacement.stop();
      return;
    }
    current = owned = replacement;
    upSince = Date.now();
    log.info({ pid: replacement.pid }, `${name} restarted`);
    watch(replacement);
  };

  watch(options.running);
  return {
    get up() {
      return current !== undefined;
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await restarting;
      const mine = owned;
      current = owned = undefined;
      await mine?.stop();
    },
  };
}

/**
 * Supervises the embedded PostgreSQL that runs the cluster in `directory` (started by openDatabase):
 * replacements listen on its port, so connection URLs stay valid.
 */
export async function superviseEmbeddedPostgres(options: {
  directory: string;
  log: SuperviseOptions["log"];
  backoff?: Partial<Backoff>;
}): Promise<Supervisor> {
  const running = await watchPostmaster(options.directory);
  return supervise({
    name: "embedded PostgreSQL",
    running,
    restart: (): Promise<EmbeddedDatabase> =>
      startEmbeddedPostgres({ directory: options.directory, persistent: true, port: running.port }),
    log: options.log,
    backoff: options.backoff,
  });
}
