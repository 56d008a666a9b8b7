import type { ContactMethod } from "../../gen/customers/v1/customer_pb.js";

/** A postal address as the domain sees it (already validated and normalised when stored). */
export interface AddressData {
  line1: string;
  line2: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

/** The writable fields of a customer record. */
export interface CustomerData {
  firstName: string;
  lastName: string;
  company: string;
  email: string;
  phone: string;
  address: AddressData | null;
  preferredContactMethods: ContactMethod[];
  marketingEmailOptIn: boolean;
  marketingSmsOptIn: boolean;
}

/** A stored customer: its data plus the fields the server owns. */
export interface CustomerRecord extends CustomerData {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}
