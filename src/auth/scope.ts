/** The scopes a credential can grant (docs/auth.md): reading customers, and creating or changing them. */
export const SCOPES = ["customers.read", "customers.write"] as const;

/** One of SCOPES. */
export type Scope = (typeof SCOPES)[number];

/** Whether a string names one of SCOPES. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
