import parsePhoneNumberFromString, { isSupportedCountry } from "libphonenumber-js/max";

/** Outcome of parsing a phone number: its E.164 form, or why it was rejected. */
export type PhoneNumberResult = { e164: string } | { error: "INVALID_FORMAT" };

/**
 * Parses a phone number typed in international format, or in the national format of `defaultRegion`
 * (ISO 3166-1 alpha-2), and returns it as E.164 when libphonenumber's full metadata calls it valid.
 */
export function parsePhoneNumber(raw: string, defaultRegion?: string): PhoneNumberResult {
  const region = defaultRegion?.toUpperCase();
  const parsed = parsePhoneNumberFromString(raw, {
    // Without this, "call me on +1 415 555 2671" would be cut down to the number instead of rejected.
    extract: false,
    // An unknown region must not turn an international number into an error, so it is simply dropped.
    ...(region !== undefined && isSupportedCountry(region) ? { defaultCountry: region } : {}),
  });
  // E.164 has no room for an extension: accepting one would silently lose it when stored.
  if (parsed === undefined || !parsed.isValid() || parsed.ext) {
    return { error: "INVALID_FORMAT" };
  }
  return { e164: parsed.number };
}
