import { describe, expect, it } from "vitest";
import { parsePhoneNumber } from "../../src/customers/phone-number.js";

describe("parsePhoneNumber", () => {
  it.each([
    // National formats, read in the given region (all valid in libphonenumber's max metadata).
    ["(415) 555-2671", "US", "+14155552671"],
    ["415.555.2671", "US", "+14155552671"],
    ["1 415 555 2671", "US", "+14155552671"],
    ["020 7946 0018", "GB", "+442079460018"],
    ["07400 123456", "GB", "+447400123456"],
    ["030 901820", "DE", "+4930901820"],
    ["030/901820", "DE", "+4930901820"],
    ["0151 23456789", "DE", "+4915123456789"],
    ["01 23 45 67 89", "FR", "+33123456789"],
    ["06.12.34.56.78", "FR", "+33612345678"],
    ["03-1234-5678", "JP", "+81312345678"],
    ["(02) 9374 4000", "AU", "+61293744000"],
    ["(415) 555-2671", "us", "+14155552671"],
    // An international prefix dialled from the region is understood too.
    ["0049 30 901820", "DE", "+4930901820"],
    // International formats with spaces, dashes, dots and parentheses; the region does not matter.
    ["+14155552671", undefined, "+14155552671"],
    ["+1 415 555 2671", undefined, "+14155552671"],
    ["+1-415-555-2671", undefined, "+14155552671"],
    ["+1 (415) 555-2671", undefined, "+14155552671"],
    ["+1 415.555.2671", undefined, "+14155552671"],
    ["+44 20 7946 0018", undefined, "+442079460018"],
    ["+44 (0) 20 7946 0018", undefined, "+442079460018"],
    ["+49 30 901820", undefined, "+4930901820"],
    ["+33 6 12 34 56 78", undefined, "+33612345678"],
    ["+81 3-1234-5678", "US", "+81312345678"],
    ["+1 415 555 2671", "ZZ", "+14155552671"],
  ])("accepts %j (region %s) as %s", (raw, region, e164) => {
    expect(parsePhoneNumber(raw, region)).toEqual({ e164 });
  });

  it.each([
    ["", "US"],
    ["+", undefined],
    ["12345", "US"],
    // National format without a region to read it in.
    ["(415) 555-2671", undefined],
    ["(415) 555-2671", "ZZ"],
    // A national number read in the wrong region.
    ["(415) 555-2671", "GB"],
    ["020 7946 0018", "US"],
    // Well-formed but not a valid number (unassigned area code, too few digits).
    ["+1 555 555 5555", undefined],
    ["+44 20 7946 001", undefined],
    // E.164 cannot carry an extension, and text around the number is not a phone number.
    ["+1 415 555 2671 ext. 12", undefined],
    ["+1 415 555 2671 x12", undefined],
    ["call +1 415 555 2671", undefined],
    ["+1 800 FLOWERS", undefined],
    ["not a phone", "US"],
  ])("rejects %j (region %s)", (raw, region) => {
    expect(parsePhoneNumber(raw, region)).toEqual({ error: "INVALID_FORMAT" });
  });
});
