import { readFileSync } from 'node:fs';
import {
  ScalarType,
  createFileRegistry,
  fromBinary,
  type DescEnum,
  type DescField,
  type DescMessage,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/** A JSON Schema (draft-07, the subset AsyncAPI's Schema Object reads). */
export type JsonSchema = { [key: string]: unknown };

/** Where the schemas of proto messages and enums live in the AsyncAPI document. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

export function loadDescriptors(descriptorSetPath: string): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)));
}

const INT64_TYPES = new Set([
  ScalarType.INT64,
  ScalarType.SINT64,
  ScalarType.SFIXED64,
  ScalarType.UINT64,
  ScalarType.FIXED64,
]);
const UNSIGNED_TYPES = new Set([
  ScalarType.UINT32,
  ScalarType.FIXED32,
  ScalarType.UINT64,
  ScalarType.FIXED64,
]);

/** A scalar in proto3 JSON: 64-bit integers as decimal strings, bytes as base64. */
export function scalarSchema(scalar: ScalarType): JsonSchema {
  if (INT64_TYPES.has(scalar)) {
    return {
      type: 'string',
      pattern: UNSIGNED_TYPES.has(scalar) ? '^[0-9]+$' : '^-?[0-9]+$',
      description: '64-bit integer as a decimal string (proto3 JSON)',
    };
  }
  switch (scalar) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    default:
      return UNSIGNED_TYPES.has(scalar) ? { type: 'integer', minimum: 0 } : { type: 'integer' };
  }
}

const WRAPPERS: Record<string, ScalarType> = {
  'google.protobuf.DoubleValue': ScalarType.DOUBLE,
  'google.protobuf.FloatValue': ScalarType.FLOAT,
  'google.protobuf.Int64Value': ScalarType.INT64,
  'google.protobuf.UInt64Value': ScalarType.UINT64,
  'google.protobuf.Int32Value': ScalarType.INT32,
  'google.protobuf.UInt32Value': ScalarType.UINT32,
  'google.protobuf.BoolValue': ScalarType.BOOL,
  'google.protobuf.StringValue': ScalarType.STRING,
  'google.protobuf.BytesValue': ScalarType.BYTES,
};

/** Well-known types have a JSON form of their own instead of an object of their fields. */
function wellKnownSchema(typeName: string): JsonSchema | undefined {
  const wrapped = WRAPPERS[typeName];
  if (wrapped !== undefined) return scalarSchema(wrapped);
  switch (typeName) {
    case 'google.protobuf.Timestamp':
      return { type: 'string', format: 'date-time', description: 'RFC 3339 time, UTC' };
    case 'google.protobuf.Duration':
      return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$', description: 'e.g. "1.5s"' };
    case 'google.protobuf.FieldMask':
      return { type: 'string', description: 'comma-separated lowerCamel field paths' };
    case 'google.protobuf.Struct':
      return { type: 'object', description: 'any JSON object' };
    case 'google.protobuf.ListValue':
      return { type: 'array', description: 'any JSON array' };
    case 'google.protobuf.Value':
      return { description: 'any JSON value' };
    case 'google.protobuf.Empty':
      return { type: 'object', additionalProperties: false };
    case 'google.protobuf.Any':
      return {
        type: 'object',
        required: ['@type'],
        properties: { '@type': { type: 'string' } },
        description: 'a message of the type `@type` names, with its fields beside it',
      };
    default:
      return undefined;
  }
}

/**
 * JSON Schemas of proto messages in their proto3 JSON mapping (lowerCamel
 * names, enums by name, 64-bit integers as strings, Timestamp as RFC 3339),
 * the form `Message.toJSON` gives and every event carries. Messages and enums
 * become named schemas referenced by `$ref`, so nesting and recursion stay
 * finite; `schemas()` returns every type reached from what was asked for.
 * No field is required: proto3 JSON leaves out fields at their default.
 */
export class ProtoJsonSchemas {
  private readonly named = new Map<string, JsonSchema>();

  constructor(private readonly registry: FileRegistry) {}

  /** A `$ref` to the named schema of `typeName`, adding it (and what it reaches) on first use. */
  ref(typeName: string): JsonSchema {
    const message = this.registry.getMessage(typeName);
    if (message) return this.messageRef(message);
    const enumeration = this.registry.getEnum(typeName);
    if (enumeration) return this.enumRef(enumeration);
    throw new Error(`${typeName} is not in the descriptor set`);
  }

  /** The JSON names of a message's top-level fields. */
  fieldNames(typeName: string): string[] {
    const message = this.registry.getMessage(typeName);
    if (!message) throw new Error(`${typeName} is not a message in the descriptor set`);
    return message.fields.map((field) => field.jsonName);
  }

  /** Every named schema added so far, by full proto name, sorted. */
  schemas(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.named].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private messageRef(message: DescMessage): JsonSchema {
    const known = wellKnownSchema(message.typeName);
    if (known) return known;
    if (!this.named.has(message.typeName)) {
      this.named.set(message.typeName, {}); // placed first: a recursive field finds it
      this.named.set(message.typeName, this.messageSchema(message));
    }
    return { $ref: `${SCHEMA_REF_PREFIX}${message.typeName}` };
  }

  private enumRef(enumeration: DescEnum): JsonSchema {
    if (!this.named.has(enumeration.typeName)) {
      this.named.set(enumeration.typeName, {
        title: enumeration.typeName,
        ...described(enumeration),
        type: 'string',
        enum: enumeration.values.map((value) => value.name),
      });
    }
    return { $ref: `${SCHEMA_REF_PREFIX}${enumeration.typeName}` };
  }

  private messageSchema(message: DescMessage): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const field of message.fields) {
      properties[field.jsonName] = { ...this.fieldSchema(field), ...this.fieldNotes(field) };
    }
    return {
      title: message.typeName,
      ...described(message),
      type: 'object',
      properties,
    };
  }

  private fieldNotes(field: DescField): JsonSchema {
    const notes = [commentOf(field)];
    if (field.oneof) notes.push(`At most one field of the oneof \`${field.oneof.name}\` is set.`);
    if (field.deprecated) notes.push('Deprecated.');
    const description = notes.filter(Boolean).join('\n\n');
    return description ? { description } : {};
  }

  private fieldSchema(field: DescField): JsonSchema {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarSchema(field.scalar);
      case 'enum':
        return this.enumRef(field.enum);
      case 'message':
        return this.messageRef(field.message);
      case 'list':
        return { type: 'array', items: this.elementSchema(field) };
      case 'map':
        return {
          type: 'object',
          ...(field.mapKey === ScalarType.STRING
            ? {}
            : {
                propertyNames: {
                  pattern: field.mapKey === ScalarType.BOOL ? '^(true|false)$' : '^-?[0-9]+$',
                },
              }),
          additionalProperties: this.elementSchema(field),
        };
    }
  }

  private elementSchema(field: DescField & { fieldKind: 'list' | 'map' }): JsonSchema {
    if (field.fieldKind === 'list') {
      if (field.listKind === 'scalar') return scalarSchema(field.scalar);
      if (field.listKind === 'enum') return this.enumRef(field.enum);
      return this.messageRef(field.message);
    }
    if (field.mapKind === 'scalar') return scalarSchema(field.scalar);
    if (field.mapKind === 'enum') return this.enumRef(field.enum);
    return this.messageRef(field.message);
  }
}

/** The leading comment of a type or field in its .proto (the descriptor set keeps source info). */
function commentOf(desc: DescMessage | DescEnum | DescField): string {
  const path = sourcePath(desc);
  const file = desc.kind === 'field' ? desc.parent.file : desc.file;
  const found = file.proto.sourceCodeInfo?.location.find(
    (location) =>
      location.path.length === path.length &&
      location.path.every((step, index) => step === path[index]),
  );
  return (found?.leadingComments ?? '')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim();
}

function described(desc: DescMessage | DescEnum): JsonSchema {
  const description = commentOf(desc);
  return description ? { description } : {};
}

// Field numbers of FileDescriptorProto / DescriptorProto, as source info paths use them.
const FILE_MESSAGE_TYPE = 4;
const FILE_ENUM_TYPE = 5;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED_TYPE = 3;
const MESSAGE_ENUM_TYPE = 4;

function sourcePath(desc: DescMessage | DescEnum | DescField): number[] {
  if (desc.kind === 'field') {
    return [...sourcePath(desc.parent), MESSAGE_FIELD, desc.parent.proto.field.indexOf(desc.proto)];
  }
  const parent = desc.parent;
  if (desc.kind === 'message') {
    return parent
      ? [...sourcePath(parent), MESSAGE_NESTED_TYPE, parent.proto.nestedType.indexOf(desc.proto)]
      : [FILE_MESSAGE_TYPE, desc.file.proto.messageType.indexOf(desc.proto)];
  }
  return parent
    ? [...sourcePath(parent), MESSAGE_ENUM_TYPE, parent.proto.enumType.indexOf(desc.proto)]
    : [FILE_ENUM_TYPE, desc.file.proto.enumType.indexOf(desc.proto)];
}
