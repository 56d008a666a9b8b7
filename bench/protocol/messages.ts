// Binary request messages of the contract (encoded with the generated code in gen/) and the
// 5-byte length-prefixed framing gRPC and gRPC-web put around them.
import { fromBinary, fromJson, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  CreateCustomerRequestSchema,
  GetCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";

export function getCustomerRequest(customerId: string): Uint8Array {
  return toBinary(GetCustomerRequestSchema, fromJson(GetCustomerRequestSchema, { customerId }));
}

/** A CreateCustomerRequest for `customer` given in proto3 JSON. */
export function createCustomerRequest(customer: JsonObject): Uint8Array {
  return toBinary(CreateCustomerRequestSchema, fromJson(CreateCustomerRequestSchema, { customer }));
}

/** A message in a gRPC / gRPC-web data frame: flag 0 (uncompressed), big-endian length, bytes. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** What a gRPC-web response carried: its message (if any) and grpc-status (trailer or header). */
export interface GrpcWebResponse {
  message?: Uint8Array;
  grpcStatus?: string;
}

/** Splits a gRPC-web body into its data frame and trailer frame (flag 0x80, HTTP/1-style lines). */
export function readGrpcWebBody(body: Buffer, headers: Headers): GrpcWebResponse {
  const result: GrpcWebResponse = {};
  const header = headers.get("grpc-status");
  if (header !== null) result.grpcStatus = header;
  for (let at = 0; at + 5 <= body.length; ) {
    const flags = body[at] as number;
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    if (flags & 0x80) {
      const status = /^grpc-status:\s*(\d+)/im.exec(data.toString("latin1"));
      if (status?.[1]) result.grpcStatus = status[1];
    } else {
      result.message = data;
    }
    at += 5 + length;
  }
  return result;
}

export function decodeCustomer(bytes: Uint8Array): Customer {
  return fromBinary(CustomerSchema, bytes);
}
