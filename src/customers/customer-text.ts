// How the server normalises a customer's texts before its rules see them (docs/api.md). Free of
// server-only dependencies, so the console bundles it and checks a form exactly as the server will.

const CONTROL_CHARACTER = /\p{Cc}/u;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** NFC, then trimmed: lengths are counted on what is stored. */
export function cleanText(raw: string): string {
  return raw.normalize("NFC").trim();
}

/** A name with runs of visible whitespace (e.g. NBSP, U+3000) collapsed; control characters stay for the rules to see. */
export function cleanName(raw: string): string {
  const value = cleanText(raw);
  return hasControlCharacter(value) ? value : value.replace(/\s+/gu, " ");
}

/** Upper-cases only ASCII letters: "ıt".toUpperCase() would turn a typo into "IT". */
export function cleanCountry(raw: string): string {
  return cleanText(raw).replace(/[a-z]/g, (letter) => letter.toUpperCase());
}
