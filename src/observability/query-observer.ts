/**
 * Wraps one database statement for measurement (metrics, a trace span): `operation` is a bounded name
 * such as `select` or `insert`, never the SQL's values. Must return what `run` returns, unchanged.
 */
export type QueryObserver = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

/** Runs the statement without measuring it. */
export const unobservedQuery: QueryObserver = (_operation, run) => run();
