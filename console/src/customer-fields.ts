/** Every writable field of the contract, by its proto path (the path violations and update masks use). */
export const TEXT_FIELDS = [
  { path: "first_name", label: "First name", key: "firstName", required: true },
  { path: "last_name", label: "Last name", key: "lastName", required: true },
  { path: "company", label: "Company", key: "company" },
  { path: "email", label: "Email", key: "email", type: "email" },
  { path: "phone", label: "Phone", key: "phone", type: "tel" },
] as const;
export const ADDRESS_FIELDS = [
  { path: "address.line1", label: "Address line 1", key: "line1" },
  { path: "address.line2", label: "Address line 2", key: "line2" },
  { path: "address.city", label: "City", key: "city" },
  { path: "address.state", label: "State / region", key: "state" },
  { path: "address.postal_code", label: "Postal code", key: "postalCode" },
  { path: "address.country", label: "Country (ISO code, e.g. US)", key: "country" },
] as const;
