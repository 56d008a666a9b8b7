// One list of things to undo (child processes, the embedded PostgreSQL, temporary folders), run in
// reverse order on a normal end, on a failure and on SIGINT/SIGTERM/SIGHUP, so CI never leaks them.
import { setTimeout as delay } from "node:timers/promises";

interface Step {
  name: string;
  undo: () => Promise<void> | void;
}

const steps: Step[] = [];
let running: Promise<void> | undefined;

/** Registers `undo` to run at clean-up; the returned function drops it (when undone early). */
export function onCleanup(name: string, undo: () => Promise<void> | void): () => void {
  const step = { name, undo };
  steps.push(step);
  return () => {
    const at = steps.indexOf(step);
    if (at !== -1) steps.splice(at, 1);
  };
}

/** Runs every registered step, newest first; a step that fails or hangs does not stop the others. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop() as Step;
      try {
        await Promise.race([
          Promise.resolve(step.undo()),
          delay(20_000).then(() => {
            throw new Error("timed out after 20 s");
          }),
        ]);
      } catch (error) {
        console.error(
          `clean-up of ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  })();
  return running;
}

/** Makes the usual stop signals clean up before exiting; a second signal exits at once. */
export function cleanUpOnSignals(): void {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      if (running) process.exit(code);
      console.error(`\n${signal}: stopping the benchmark and cleaning up`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
}
