import { readFileSync } from 'node:fs';
import {
  createFileRegistry,
  fromBinary,
  type DescField,
  type DescMessage,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { timestampProblem, type FieldViolation } from '@nexus/core';
import { descriptorSetPath } from '@nexus/proto';

/**
 * Checks every google.protobuf.Timestamp of a request on the wire (and
 * throws on bytes that are not protobuf, e.g. a stray end-group tag, which
 * the generated decoder stops at without a word), where its
 * fields still are what the caller sent: the generated code turns a Timestamp
 * into a Date, which silently carries nanos of 2,000,000,000 over into the
 * seconds. Found from the method's input type in the descriptor set, so every
 * Timestamp field of every request is covered, at any depth.
 */
export type TimestampScan = (bytes: Uint8Array) => FieldViolation[];

const TIMESTAMP = 'google.protobuf.Timestamp';

let registry: ReturnType<typeof createFileRegistry> | undefined;

/** The scan for the method at `path` (`/pkg.Service/Method`); undefined when its request holds no Timestamp. */
export function timestampScanFor(path: string): TimestampScan | undefined {
  const [, serviceName, methodName] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  if (!serviceName || !methodName) return undefined;
  registry ??= createFileRegistry(
    fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)),
  );
  const input = registry.getService(serviceName)?.methods.find((m) => m.name === methodName)?.input;
  if (!input || !reachesTimestamp(input, new Set())) return undefined;
  return (bytes) => {
    const violations: FieldViolation[] = [];
    scanMessage(bytes, input, '', violations);
    return violations;
  };
}

function messageOf(field: DescField): DescMessage | undefined {
  if (field.fieldKind === 'message') return field.message;
  if (field.fieldKind === 'list' && field.listKind === 'message') return field.message;
  if (field.fieldKind === 'map' && field.mapKind === 'message') return field.message;
  return undefined;
}

const reaches = new Map<string, boolean>();

function reachesTimestamp(desc: DescMessage, visiting: Set<string>): boolean {
  if (desc.typeName === TIMESTAMP) return true;
  const known = reaches.get(desc.typeName);
  if (known !== undefined) return known;
  if (visiting.has(desc.typeName)) return false;
  visiting.add(desc.typeName);
  const result = desc.fields.some((field) => {
    const message = messageOf(field);
    return message !== undefined && reachesTimestamp(message, visiting);
  });
  visiting.delete(desc.typeName);
  reaches.set(desc.typeName, result);
  return result;
}

/** A field whose message is or holds a Timestamp: all the scan needs to know of it. */
interface TimestampField {
  readonly name: string;
  readonly kind: DescField['fieldKind'];
  readonly message: DescMessage;
}

const timestampFieldsByType = new Map<string, Map<number, TimestampField>>();

/**
 * The fields of `desc` that reach a Timestamp, by number: worked out once per
 * message type, not for every field of every request (finding each field in
 * the descriptor on every tag was most of the scan's cost on a large batch).
 */
function timestampFields(desc: DescMessage): Map<number, TimestampField> {
  let fields = timestampFieldsByType.get(desc.typeName);
  if (!fields) {
    fields = new Map();
    for (const field of desc.fields) {
      const message = messageOf(field);
      if (message && reachesTimestamp(message, new Set()))
        fields.set(field.number, { name: field.name, kind: field.fieldKind, message });
    }
    timestampFieldsByType.set(desc.typeName, fields);
  }
  return fields;
}

function scanMessage(
  bytes: Uint8Array,
  desc: DescMessage,
  path: string,
  violations: FieldViolation[],
): void {
  const fields = timestampFields(desc);
  const reader = new BinaryReader(bytes);
  let seen: Map<number, number> | undefined;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = fields.get(number);
    if (!field || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, number);
      continue;
    }
    const value = reader.bytes();
    const { message } = field;
    let fieldPath = path ? `${path}.${field.name}` : field.name;
    if (field.kind === 'list') {
      seen ??= new Map();
      const index = seen.get(number) ?? 0;
      seen.set(number, index + 1);
      fieldPath += `[${index}]`;
    }
    if (field.kind === 'map') scanMapEntry(value, message, fieldPath, violations);
    else if (message.typeName === TIMESTAMP) checkTimestamp(value, fieldPath, violations);
    else scanMessage(value, message, fieldPath, violations);
  }
}

function scanMapEntry(
  bytes: Uint8Array,
  message: DescMessage,
  path: string,
  violations: FieldViolation[],
): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number !== 2 || wireType !== WireType.LengthDelimited) reader.skip(wireType, number);
    else if (message.typeName === TIMESTAMP) checkTimestamp(reader.bytes(), path, violations);
    else scanMessage(reader.bytes(), message, path, violations);
  }
}

function checkTimestamp(bytes: Uint8Array, path: string, violations: FieldViolation[]): void {
  const reader = new BinaryReader(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number === 1 && wireType === WireType.Varint) seconds = BigInt(reader.int64());
    else if (number === 2 && wireType === WireType.Varint) nanos = reader.int32();
    else reader.skip(wireType, number);
  }
  const problem = timestampProblem(seconds, nanos);
  if (problem) violations.push({ field: path, description: problem, reason: 'OUT_OF_RANGE' });
}
