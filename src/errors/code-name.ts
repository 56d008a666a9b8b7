import { Code } from "@connectrpc/connect";

/** The google.rpc.Code name of a Connect code, e.g. INVALID_ARGUMENT (and CANCELLED, as gRPC spells it). */
export function codeName(code: Code): string {
  if (code === Code.Canceled) return "CANCELLED";
  return (Code[code] ?? "UNKNOWN").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
