import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  AddressSchema,
  ContactMethod,
  type Customer,
  CustomerSchema,
} from "../../gen/customers/v1/customer_pb.js";

import { ADDRESS_FIELDS, TEXT_FIELDS } from "./customer-fields.js";

const METHODS = [ContactMethod.EMAIL, ContactMethod.PHONE, ContactMethod.SMS];

const idOf = (path: string) => `field-${path.replace(/[._]/g, "-")}`;

function textInput(path: string, label: string, value: string, type = "text", required = false): HTMLElement {
  const wrapper = document.createElement("div");
  const labelEl = document.createElement("label");
  labelEl.htmlFor = idOf(path);
  labelEl.textContent = required ? `${label} (required)` : label;
  const input = document.createElement("input");
  input.id = idOf(path);
  input.name = path;
  input.type = type;
  input.value = value;
  const error = document.createElement("p");
  error.className = "field-error";
  error.id = `${idOf(path)}-error`;
  error.hidden = true;
  input.setAttribute("aria-describedby", error.id);
  labelEl.append(input);
  wrapper.append(labelEl, error);
  return wrapper;
}

export function renderCustomerForm(form: HTMLFormElement, customer: Customer): void {
  form.replaceChildren();
  if (customer.customerId) {
    const meta = document.createElement("p");
    meta.className = "readonly";
    const at = (t: Customer["createdAt"]) => (t ? timestampDate(t).toLocaleString() : "");
    meta.textContent = `Id ${customer.customerId} · created ${at(customer.createdAt)} · updated ${at(customer.updatedAt)} · etag ${customer.etag}`;
    form.append(meta);
  }
  const formError = document.createElement("p");
  formError.className = "field-error";
  formError.id = "form-error";
  formError.hidden = true;
  form.append(formError);
  const person = document.createElement("div");
  person.className = "grid";
  for (const f of TEXT_FIELDS) {
    person.append(
      textInput(f.path, f.label, customer[f.key], "type" in f ? f.type : "text", "required" in f),
    );
  }
  form.append(person);
  const address = document.createElement("fieldset");
  address.innerHTML = "<legend>Address (optional; line 1, city and country when given)</legend>";
  const grid = document.createElement("div");
  grid.className = "grid";
  for (const f of ADDRESS_FIELDS) grid.append(textInput(f.path, f.label, customer.address?.[f.key] ?? ""));
  address.append(grid);
  form.append(address);
  const methods = document.createElement("fieldset");
  methods.innerHTML = "<legend>Preferred contact methods</legend>";
  for (const method of METHODS) {
    const label = document.createElement("label");
    label.className = "inline";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "preferred_contact_methods";
    box.value = String(method);
    box.checked = customer.preferredContactMethods.includes(method);
    label.append(box, ContactMethod[method]);
    methods.append(label);
  }
  methods.append(errorFor("preferred_contact_methods"));
  form.append(methods);
  const optIns = document.createElement("fieldset");
  optIns.innerHTML = "<legend>Marketing opt-ins</legend>";
  for (const [name, text, checked] of [
    ["marketing_email_opt_in", "Marketing email (needs email)", customer.marketingEmailOptIn],
    ["marketing_sms_opt_in", "Marketing SMS (needs phone)", customer.marketingSmsOptIn],
  ] as const) {
    const label = document.createElement("label");
    label.className = "inline";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.id = idOf(name);
    box.checked = checked;
    label.append(box, text);
    optIns.append(label, errorFor(name));
  }
  form.append(optIns);
  const save = document.createElement("button");
  save.type = "submit";
  save.id = "save-customer";
  save.textContent = customer.customerId ? "Save changes" : "Create customer";
  form.append(save);
}

function errorFor(path: string): HTMLElement {
  const error = document.createElement("p");
  error.className = "field-error";
  error.id = `${idOf(path)}-error`;
  error.hidden = true;
  return error;
}

export function readCustomerForm(form: HTMLFormElement): Customer {
  const value = (path: string) => (form.elements.namedItem(path) as HTMLInputElement).value.trim();
  const checked = (path: string) => (form.elements.namedItem(path) as HTMLInputElement).checked;
  const customer = create(CustomerSchema, {
    firstName: value("first_name"),
    lastName: value("last_name"),
    company: value("company"),
    email: value("email"),
    phone: value("phone"),
    marketingEmailOptIn: checked("marketing_email_opt_in"),
    marketingSmsOptIn: checked("marketing_sms_opt_in"),
    preferredContactMethods: [
      ...form.querySelectorAll<HTMLInputElement>("input[name=preferred_contact_methods]:checked"),
    ].map((box) => Number(box.value) as ContactMethod),
  });
  const address = Object.fromEntries(ADDRESS_FIELDS.map((f) => [f.key, value(f.path)]));
  if (Object.values(address).some((v) => v !== "")) customer.address = create(AddressSchema, address);
  return customer;
}

/**
 * Shows violations next to their fields (paths relative to the customer, e.g. "address.city") and
 * focuses the first invalid field. Returns whether there were any.
 */
export function showViolations(
  form: HTMLFormElement,
  violations: { field: string; description: string }[],
): boolean {
  for (const error of form.querySelectorAll<HTMLElement>(".field-error")) {
    error.hidden = true;
    error.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  let first: HTMLElement | undefined;
  for (const violation of violations) {
    const path = violation.field.replace(/\[\d+\]$/, "");
    const error =
      form.querySelector<HTMLElement>(`#${idOf(path)}-error`) ??
      (form.querySelector("#form-error") as HTMLElement);
    error.hidden = false;
    error.textContent = [
      error.textContent,
      error.id === "form-error" ? `${violation.field}: ${violation.description}` : violation.description,
    ]
      .filter(Boolean)
      .join(" ");
    const input =
      form.querySelector<HTMLElement>(`#${idOf(path)}`) ??
      form.querySelector<HTMLElement>(`input[name="${path}"]`) ??
      undefined;
    input?.setAttribute("aria-invalid", "true");
    first ??= input;
  }
  first?.focus();
  return violations.length > 0;
}
