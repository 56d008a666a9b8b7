/** Whether the service can answer calls: the database answers, and shutdown has not begun. */
export interface ServingMonitor {
  /** Serving now? A probe younger than the cache period is reused, so probes do not load the database. */
  serving(): Promise<boolean>;
  /**
   * Calls `listener` with the status after every periodic probe while anyone listens (repeats
   * included: listeners keep their own last value), and with false when shutdown begins. Returns the
   * unsubscribe function.
   */
  subscribe(listener: (serving: boolean) => void): () => void;
  /** Marks the service not serving for good and tells every listener. */
  shutDown(): void;
  readonly shuttingDown: boolean;
}

/** Options of {@link createServingMonitor}. */
export interface ServingMonitorOptions {
  /** Resolves when the database answers; rejects (or does not settle in time) when it does not. */
  probe: () => Promise<unknown>;
  /** How long a probe's answer is reused (default 1 s). */
  cacheMs?: number;
  /** A probe slower than this counts as a failure (default 2 s). */
  probeTimeoutMs?: number;
  /** How often the database is probed while someone watches (default 2 s). */
  watchIntervalMs?: number;
}

/** Creates the one serving status that gRPC health (Check, Watch) reports. */
export function createServingMonitor(options: ServingMonitorOptions): ServingMonitor {
  const cacheMs = options.cacheMs ?? 1000;
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const intervalMs = options.watchIntervalMs ?? 2000;
  const listeners = new Set<(serving: boolean) => void>();
  let last: { serving: boolean; at: number } | undefined;
  let running: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let shuttingDown = false;

  const probeOnce = async (): Promise<boolean> => {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timeout = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([options.probe().then(() => true), expired]);
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
    }
  };
  const serving = async (): Promise<boolean> => {
    if (shuttingDown) return false;
    if (last && Date.now() - last.at < cacheMs) return last.serving;
    // Concurrent probes share one query.
    running ??= probeOnce().then((result) => {
      last = { serving: result, at: Date.now() };
      running = undefined;
      return result;
    });
    const result = await running;
    return shuttingDown ? false : result;
  };
  const report = (status: boolean) => {
    for (const listener of [...listeners]) listener(status);
  };
  const tick = () => {
    void serving().then((status) => {
      if (!shuttingDown) report(status);
    });
  };
  return {
    serving,
    subscribe(listener) {
      listeners.add(listener);
      if (shuttingDown) {
        listener(false);
      } else if (timer === undefined) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    shutDown() {
      if (shuttingDown) return;
      shuttingDown = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      report(false);
    },
    get shuttingDown() {
      return shuttingDown;
    },
  };
}
