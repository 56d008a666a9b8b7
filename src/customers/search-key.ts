/**
 * The comparison form of a text for case- and whitespace-insensitive search: NFC, trimmed, inner
 * whitespace runs collapsed to one space, lower-cased; applied to stored columns and to search input
 * alike so that both sides meet.
 */
export function searchKey(text: string): string {
  // toLowerCase (not toLocaleLowerCase) so the key never depends on the server's locale (e.g. Turkish İ/ı).
  return text.normalize("NFC").trim().replace(/\s+/gu, " ").toLowerCase();
}
