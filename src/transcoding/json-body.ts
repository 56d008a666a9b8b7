/*
 * Inspection of proto3 JSON request bodies before `fromJson` builds the message: naming every
 * unknown key (so a 400 can list them all, where `fromJson` stops at the first) and deriving the
 * AIP-134 update mask of a PATCH body the way grpc-gateway does.
 *
 * Messages whose JSON is not an ordinary object (google.protobuf.Any, Struct, Value, ListValue,
 * Timestamp, Duration, FieldMask and the wrappers) are opaque here: their content is free-form or
 * checked by `fromJson`. google.protobuf.Empty is an ordinary (field-less) message.
 */
import type { DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { findField } from "./field-paths.js";

/**
 * Lists the path (JSON names, `[i]` for list elements, `["key"]` for map entries, `prefix.` in front)
 * of every key in `json` that is not a field of its message, looking inside nested messages.
 */
export function findUnknownJsonFields(desc: DescMessage, json: JsonValue, prefix?: string): string[] {
  const unknown: string[] = [];
  collectUnknown(desc, json, prefix ?? "", unknown);
  return unknown;
}

function collectUnknown(desc: DescMessage, json: JsonValue, path: string, unknown: string[]): void {
  // Anything but an object is a type error that `fromJson` reports with a better message.
  if (!isJsonObject(json)) return;
  for (const [key, value] of Object.entries(json)) {
    const field = findField(desc, key);
    if (field === undefined) {
      unknown.push(join(path, key));
      continue;
    }
    const message = ordinaryMessage(field);
    if (message === undefined || value === null) continue;
    const fieldPath = join(path, field.jsonName);
    if (field.fieldKind === "list") {
      if (!Array.isArray(value)) continue;
      for (const [i, item] of value.entries()) collectUnknown(message, item, `${fieldPath}[${i}]`, unknown);
    } else if (field.fieldKind === "map") {
      if (isJsonObject(value)) {
        for (const [mapKey, item] of Object.entries(value)) {
          collectUnknown(message, item, `${fieldPath}[${mapKeySubscript(field.mapKey, mapKey)}]`, unknown);
        }
      }
    } else {
      collectUnknown(message, value, fieldPath, unknown);
    }
  }
}

/**
 * Derives the update mask (proto names, dotted) of a PATCH body: one path per key present, descending
 * into nested messages given as non-empty objects; `{}` and `null` stand for the whole field.
 */
export function inferUpdateMask(desc: DescMessage, json: JsonValue): string[] {
  const paths: string[] = [];
  collectMaskPaths(desc, json, "", paths);
  // A field given by both its proto and JSON name is rejected by `fromJson`; dedupe anyway so the
  // mask is well-formed whatever the caller does.
  return [...new Set(paths)];
}

function collectMaskPaths(desc: DescMessage, json: JsonValue, prefix: string, paths: string[]): void {
  if (!isJsonObject(json)) return;
  for (const [key, value] of Object.entries(json)) {
    const field = findField(desc, key);
    // Unknown keys are the caller's to reject (findUnknownJsonFields); they name nothing to update.
    if (field === undefined) continue;
    const path = prefix + field.name;
    // Lists and maps are replaced as a whole (AIP-134 has no element-level paths), so only singular
    // messages are descended into. An empty object means "set this message to empty", which only
    // the field's own path expresses; descending would yield no path and silently drop the change.
    const nested = field.fieldKind === "message" ? ordinaryMessage(field) : undefined;
    const before = paths.length;
    if (nested !== undefined && isJsonObject(value)) collectMaskPaths(nested, value, `${path}.`, paths);
    if (paths.length === before) paths.push(path);
  }
}

/** The message type of a singular, list or map field whose JSON is an ordinary object with known keys. */
function ordinaryMessage(field: DescField): DescMessage | undefined {
  const message = field.message;
  return message !== undefined && !hasCustomJsonRepresentation(message) ? message : undefined;
}

/** Map keys in paths follow protovalidate's notation: quoted when they are strings, bare otherwise. */
function mapKeySubscript(keyType: ScalarType, key: string): string {
  return keyType === ScalarType.STRING ? JSON.stringify(key) : key;
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

function isJsonObject(value: JsonValue): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
