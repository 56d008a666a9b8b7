import type { Scope } from "./scope.js";

/** Who is calling and what they may do, once a bearer value has been verified. */
export interface Credential {
  /**
   * A name for the caller that is safe to log: the JWT's `sub`, or `api-key#<n>` for the n-th entry
   * of API_KEYS (`api-key#dev` for the development key). Never the secret itself.
   */
  readonly subject: string;
  readonly scopes: ReadonlySet<Scope>;
}
