// The package's main entry registers every bundled locale (~80 JSON files) on load; the code table
// needs none of them, so the locale-free module is imported directly.
import { isValid } from "i18n-iso-countries/index.js";

/** Whether `code` is an upper-case ISO 3166-1 alpha-2 country code such as `US` or `DE`. */
export function isCountryCode(code: string): boolean {
  // isValid also accepts alpha-3, numeric and lower-case codes; the contract stores alpha-2 only.
  return /^[A-Z]{2}$/.test(code) && isValid(code);
}
