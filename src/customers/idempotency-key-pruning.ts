import type { FastifyBaseLogger } from "fastify";
import type { CustomerRepository } from "./customer-repository.js";

/** Idempotency keys are kept at least this long (the API promises 24 hours). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes expired idempotency keys now and then hourly; returns the function that stops it. A failed
 * run (the database is away) is logged and retried at the next one. The timer never keeps the
 * process alive.
 */
export function startIdempotencyKeyPruning(
  repository: Pick<CustomerRepository, "pruneIdempotencyKeys">,
  log: Pick<FastifyBaseLogger, "info" | "warn">,
  options: { retentionMs?: number; everyMs?: number; now?: () => Date } = {},
): () => void {
  const retentionMs = options.retentionMs ?? IDEMPOTENCY_KEY_RETENTION_MS;
  const now = options.now ?? (() => new Date());
  const prune = () => {
    repository
      .pruneIdempotencyKeys(new Date(now().getTime() - retentionMs))
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted }, "pruned expired idempotency keys");
      })
      .catch((error: unknown) => log.warn({ err: error }, "pruning idempotency keys failed; retrying later"));
  };
  prune();
  const timer = setInterval(prune, options.everyMs ?? PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
