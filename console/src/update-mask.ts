import type { Customer } from "../../gen/customers/v1/customer_pb.js";
import { ADDRESS_FIELDS, TEXT_FIELDS } from "./customer-fields.js";

/** The update mask of an edit: the proto paths whose value differs from the customer as opened. */
export function changedPaths(before: Customer, after: Customer): string[] {
  const paths: string[] = [];
  for (const f of TEXT_FIELDS) if (before[f.key] !== after[f.key]) paths.push(f.path);
  if (before.marketingEmailOptIn !== after.marketingEmailOptIn) paths.push("marketing_email_opt_in");
  if (before.marketingSmsOptIn !== after.marketingSmsOptIn) paths.push("marketing_sms_opt_in");
  if (before.preferredContactMethods.join() !== after.preferredContactMethods.join())
    paths.push("preferred_contact_methods");
  if (!after.address) {
    if (before.address) paths.push("address");
  } else {
    for (const f of ADDRESS_FIELDS)
      if ((before.address?.[f.key] ?? "") !== after.address[f.key]) paths.push(f.path);
  }
  return paths;
}
