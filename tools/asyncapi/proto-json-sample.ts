import { ScalarType, type DescField, type DescMessage, type JsonValue } from '@bufbuild/protobuf';

/**
 * A proto3 JSON value of a message with every field set (to depth `depth`),
 * for checking schemas against what real encoders emit. The two variants
 * differ in every field: variant 1 leaves scalars and enums at their default
 * where variant 0 sets them, so a field present in one is absent in the other
 * or has another value.
 */
export function sampleMessageJson(message: DescMessage, variant: 0 | 1, depth = 3): JsonValue {
  const special = wellKnownSample(message.typeName, variant);
  if (special !== undefined) return special;
  const json: { [key: string]: JsonValue } = {};
  for (const member of message.members) {
    // A oneof sets one member: variant 0 the first, variant 1 the last.
    const field =
      member.kind === 'oneof'
        ? member.fields[variant === 0 ? 0 : member.fields.length - 1]
        : member;
    const value = fieldSample(field, variant, depth);
    if (value !== undefined) json[field.jsonName] = value;
  }
  return json;
}

function fieldSample(field: DescField, variant: 0 | 1, depth: number): JsonValue | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarSample(field.scalar, variant);
    case 'enum':
      return enumSample(field.enum.values, variant);
    case 'message':
      return depth > 0 ? sampleMessageJson(field.message, variant, depth - 1) : undefined;
    case 'list': {
      const element =
        field.listKind === 'scalar'
          ? scalarSample(field.scalar, variant)
          : field.listKind === 'enum'
            ? enumSample(field.enum.values, 0)
            : depth > 0
              ? sampleMessageJson(field.message, variant, depth - 1)
              : undefined;
      return element === undefined ? undefined : [element];
    }
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalarSample(field.scalar, variant)
          : field.mapKind === 'enum'
            ? enumSample(field.enum.values, 0)
            : depth > 0
              ? sampleMessageJson(field.message, variant, depth - 1)
              : undefined;
      if (value === undefined) return undefined;
      const key =
        field.mapKey === ScalarType.STRING ? 'k' : field.mapKey === ScalarType.BOOL ? 'true' : '7';
      return { [key]: value };
    }
  }
}

function enumSample(values: readonly { name: string; number: number }[], variant: 0 | 1): string {
  const set = values.find((value) => value.number !== 0) ?? values[0];
  const unset = values.find((value) => value.number === 0) ?? values[0];
  return (variant === 0 ? set : unset).name;
}

function scalarSample(scalar: ScalarType, variant: 0 | 1): JsonValue {
  switch (scalar) {
    case ScalarType.STRING:
      return variant === 0 ? 'a' : 'b';
    case ScalarType.BOOL:
      return variant === 0;
    case ScalarType.BYTES:
      return variant === 0 ? 'AQI=' : 'AwQ=';
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return variant === 0 ? 1.5 : 2.5;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return variant === 0 ? '-9007199254740993' : '42';
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return variant === 0 ? '18446744073709551615' : '42';
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return variant === 0 ? -7 : 7;
    default:
      return variant === 0 ? 7 : 8;
  }
}

const WRAPPED: Record<string, ScalarType> = {
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

function wellKnownSample(typeName: string, variant: 0 | 1): JsonValue | undefined {
  const wrapped = WRAPPED[typeName];
  if (wrapped !== undefined) return scalarSample(wrapped, variant);
  switch (typeName) {
    case 'google.protobuf.Any':
      return {
        '@type': 'type.googleapis.com/google.protobuf.Duration',
        value: variant === 0 ? '1s' : '2s',
      };
    case 'google.protobuf.Timestamp':
      return variant === 0 ? '2026-12-03T16:05:06.789Z' : '2025-01-02T03:04:05Z';
    case 'google.protobuf.Duration':
      return variant === 0 ? '1.5s' : '30s';
    case 'google.protobuf.FieldMask':
      return variant === 0 ? 'a,b.c' : 'd';
    case 'google.protobuf.Struct':
      return { theme: variant === 0 ? 'dark' : 'light', nested: { n: 1 } };
    case 'google.protobuf.Value':
      return variant === 0 ? 'x' : 1;
    case 'google.protobuf.ListValue':
      return [variant, 'y'];
    case 'google.protobuf.Empty':
      return {};
    default:
      return undefined;
  }
}
