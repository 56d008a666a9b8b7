import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { ContactMethod, type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { type CallFailure, createCustomerClient, credentialStore, failureOf } from "./api-client.js";
import { readCustomerForm, renderCustomerForm, showViolations } from "./customer-form.js";
import { changedPaths } from "./update-mask.js";
import { validateCustomer, validateSearch } from "./validation.js";

const client = createCustomerClient();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusBox = $<HTMLDivElement>("status");
const errorBox = $<HTMLDivElement>("error");
const results = $<HTMLDivElement>("results");
const nextPage = $<HTMLButtonElement>("next-page");
const editor = $<HTMLElement>("editor");
const customerForm = $<HTMLFormElement>("customer-form");
const searchForm = $<HTMLFormElement>("search-form");
const searchError = $<HTMLParagraphElement>("search-error");

/** Set after the first PERMISSION_DENIED: the credential is read-only, so nothing offers to write. */
let readOnly = false;
let editing: Customer | undefined;
let lastSearch: { kind: "contact" | "address"; fields: Record<string, string>; token: string } | undefined;

function showError(failure: CallFailure | undefined): void {
  errorBox.replaceChildren();
  errorBox.hidden = failure === undefined;
  if (!failure) return;
  const message = document.createElement("p");
  message.textContent = failure.message;
  errorBox.append(message);
  if (failure.requestId) {
    const id = document.createElement("p");
    id.textContent = "Request id (quote it to the API team): ";
    const code = document.createElement("code");
    code.className = "request-id";
    code.textContent = failure.requestId;
    id.append(code);
    errorBox.append(id);
  }
  if (failure.code === Code.PermissionDenied) setReadOnly();
}

function setReadOnly(): void {
  readOnly = true;
  $<HTMLButtonElement>("new-customer").disabled = true;
  for (const control of customerForm.querySelectorAll<HTMLInputElement | HTMLButtonElement>(
    "input, select, button",
  )) {
    control.disabled = true;
  }
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  statusBox.textContent = `${what}…`;
  try {
    const result = await run();
    showError(undefined);
    statusBox.textContent = "";
    return result;
  } catch (error) {
    const failure = failureOf(error);
    statusBox.textContent = "";
    showError(failure);
    if (failure.violations.length > 0) {
      if (lastSearchPending)
        showSearchViolation(failure.violations.map((v) => `${v.field}: ${v.description}`).join(" "));
      else
        showViolations(
          customerForm,
          failure.violations.map((v) => ({
            field: v.field.replace(/^customer\./, ""),
            description: v.description,
          })),
        );
    }
    return undefined;
  }
}
let lastSearchPending = false;

function showSearchViolation(text: string | undefined): void {
  searchError.hidden = text === undefined;
  searchError.textContent = text ?? "";
}

// Credential.
const credentialInput = $<HTMLInputElement>("credential");
credentialInput.value = credentialStore.get();
$<HTMLFormElement>("credential-form").addEventListener("submit", (event) => {
  event.preventDefault();
  credentialStore.set(credentialInput.value.trim());
  readOnly = false;
  $<HTMLButtonElement>("new-customer").disabled = false;
  statusBox.textContent = "Credential set for this tab.";
});
$<HTMLButtonElement>("forget-credential").addEventListener("click", () => {
  credentialStore.clear();
  credentialInput.value = "";
  statusBox.textContent = "Credential forgotten.";
});

// Search.
searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const kind =
    ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value === "address"
      ? "address"
      : "contact";
  const names =
    kind === "contact"
      ? ["phone", "email", "first_name"]
      : ["line1", "line2", "city", "state", "postal_code", "country"];
  const fields = Object.fromEntries(
    names.map((name) => [name, (searchForm.elements.namedItem(name) as HTMLInputElement).value.trim()]),
  );
  const problem = validateSearch(fields, kind);
  showSearchViolation(problem);
  if (problem) {
    (searchForm.elements.namedItem(names[0] as string) as HTMLInputElement).focus();
    return;
  }
  lastSearch = { kind, fields, token: "" };
  results.replaceChildren();
  void runSearch();
});
nextPage.addEventListener("click", () => void runSearch());

async function runSearch(): Promise<void> {
  if (!lastSearch) return;
  const { kind, fields, token } = lastSearch;
  lastSearchPending = true;
  const page = await call("Searching", () =>
    kind === "contact"
      ? client.searchCustomers({
          phone: fields.phone,
          email: fields.email,
          firstName: fields.first_name,
          pageSize: 10,
          pageToken: token,
        })
      : client.searchCustomersByAddress({
          line1: fields.line1,
          line2: fields.line2,
          city: fields.city,
          state: fields.state,
          postalCode: fields.postal_code,
          country: fields.country,
          pageSize: 10,
          pageToken: token,
        }),
  );
  lastSearchPending = false;
  if (!page) return;
  lastSearch.token = page.nextPageToken;
  nextPage.hidden = page.nextPageToken === "";
  renderResults(page.customers, token !== "");
}

function renderResults(customers: Customer[], continued: boolean): void {
  if (customers.length === 0 && !continued) {
    const none = document.createElement("p");
    none.className = "no-results";
    none.textContent = "No results: no customer matches.";
    results.replaceChildren(none);
    return;
  }
  const table = document.createElement("table");
  table.innerHTML =
    "<caption class='readonly'></caption><thead><tr><th scope='col'>Name</th><th scope='col'>Email</th><th scope='col'>Phone</th><th scope='col'>City</th><th scope='col'>Created</th></tr></thead><tbody></tbody>";
  (table.querySelector("caption") as HTMLElement).textContent = `${customers.length} customers on this page`;
  const body = table.querySelector("tbody") as HTMLTableSectionElement;
  for (const customer of customers) {
    const row = body.insertRow();
    const nameCell = row.insertCell();
    const open = document.createElement("button");
    open.type = "button";
    open.className = "open-customer";
    open.textContent = `${customer.firstName} ${customer.lastName}`;
    open.addEventListener("click", () => void openCustomer(customer.customerId));
    nameCell.append(open);
    for (const text of [
      customer.email,
      customer.phone,
      customer.address?.city ?? "",
      customer.createdAt ? timestampDate(customer.createdAt).toLocaleString() : "",
    ]) {
      row.insertCell().textContent = text;
    }
  }
  results.replaceChildren(table);
}

// Create / edit.
$<HTMLButtonElement>("new-customer").addEventListener("click", () => startEditing(undefined));

async function openCustomer(customerId: string): Promise<void> {
  const customer = await call("Loading customer", () => client.getCustomer({ customerId }));
  if (customer) startEditing(customer);
}

function startEditing(customer: Customer | undefined): void {
  editing = customer;
  editor.hidden = false;
  $<HTMLHeadingElement>("form-heading").textContent = customer
    ? `Customer ${customer.firstName} ${customer.lastName}`
    : "New customer";
  renderCustomerForm(
    customerForm,
    customer ?? create(CustomerSchema, { preferredContactMethods: [ContactMethod.EMAIL] }),
  );
  if (readOnly) setReadOnly();
  (customerForm.querySelector("input") as HTMLInputElement).focus();
}

customerForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void save();
});

async function save(): Promise<void> {
  const draft = readCustomerForm(customerForm);
  const clientViolations = validateCustomer(draft);
  if (showViolations(customerForm, clientViolations)) return;
  const before = editing;
  const saved = before
    ? await (async () => {
        const paths = changedPaths(before, draft);
        if (paths.length === 0) {
          statusBox.textContent = "Nothing changed.";
          return undefined;
        }
        return call("Saving", () =>
          client.updateCustomer({
            customerId: before.customerId,
            customer: draft,
            updateMask: create(FieldMaskSchema, { paths }),
            etag: before.etag,
          }),
        );
      })()
    : await call("Creating", () =>
        client.createCustomer({ customer: draft, requestId: crypto.randomUUID() }),
      );
  if (!saved) return;
  startEditing(saved);
  statusBox.textContent = before ? "Saved." : `Created customer ${saved.customerId}.`;
}
