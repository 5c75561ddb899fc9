import path from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { loadSync } from '@grpc/proto-loader';

/** The services every server has besides its own, listed by reflection as grpc-go and grpc-java do. */
export const STANDARD_SERVICES = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

/** Each standard service's proto file, as its npm package ships it (one file per package). */
const STANDARD_FILES = [
  {
    module: 'grpc-health-check',
    root: 'proto',
    file: 'health/v1/health.proto',
    name: 'grpc/health/v1/health.proto',
  },
  {
    module: '@grpc/reflection',
    root: 'build/proto',
    file: 'grpc/reflection/v1/reflection.proto',
  },
  {
    module: '@grpc/reflection',
    root: 'build/proto',
    file: 'grpc/reflection/v1alpha/reflection.proto',
  },
];

/**
 * The FileDescriptorProtos of the standard services, for the reflection
 * index. proto-loader names a file after its package (`grpc_health_v1.proto`)
 * and leaves type references relative (`HealthCheckResponse`), which clients
 * that build descriptors strictly (buf curl, @bufbuild/protobuf) refuse: each
 * file gets its real path and fully-qualified references.
 */
export function standardServiceFiles(): Uint8Array[] {
  return STANDARD_FILES.map(({ module, root, file, name }) => {
    const includeDir = path.join(path.dirname(require.resolve(`${module}/package.json`)), root);
    const definition = loadSync(file, { includeDirs: [includeDir] });
    const encoded = Object.values(definition).find((entry) => 'fileDescriptorProtos' in entry)
      ?.fileDescriptorProtos as Buffer[] | undefined;
    if (encoded?.length !== 1) throw new Error(`${file} should load as exactly one file`);
    const descriptor = fromBinary(FileDescriptorProtoSchema, encoded[0]);
    descriptor.name = name ?? file;
    qualifyReferences(descriptor);
    return toBinary(FileDescriptorProtoSchema, descriptor);
  });
}

/**
 * protoc names a map field's entry message `<Field>Entry` and protobufjs
 * `<Field>`; Go's protodesc (buf curl, grpcurl) refuses anything but protoc's.
 */
function renameMapEntries(messages: DescriptorProto[]): void {
  for (const message of messages) {
    for (const field of message.field) {
      const entry = message.nestedType.find(
        (nested) => nested.name === field.typeName && nested.options?.mapEntry,
      );
      if (!entry) continue;
      const camel = field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      entry.name = `${camel[0].toUpperCase()}${camel.slice(1)}Entry`;
      field.typeName = entry.name;
    }
    renameMapEntries(message.nestedType);
  }
}

/** Rewrites relative type references to `.package.Type`, by protobuf's scoping rules. */
function qualifyReferences(file: FileDescriptorProto): void {
  renameMapEntries(file.messageType);
  const declared = new Set<string>();
  const collect = (scope: string, messages: DescriptorProto[], enums: { name: string }[]) => {
    for (const e of enums) declared.add(`${scope}.${e.name}`);
    for (const message of messages) {
      declared.add(`${scope}.${message.name}`);
      collect(`${scope}.${message.name}`, message.nestedType, message.enumType);
    }
  };
  collect(file.package, file.messageType, file.enumType);

  const resolve = (reference: string, scope: string): string => {
    if (reference === '' || reference.startsWith('.')) return reference;
    for (let outer = scope; ; outer = outer.slice(0, Math.max(outer.lastIndexOf('.'), 0))) {
      const candidate = outer ? `${outer}.${reference}` : reference;
      if (declared.has(candidate)) return `.${candidate}`;
      if (!outer) return reference;
    }
  };
  const visit = (scope: string, messages: DescriptorProto[]) => {
    for (const message of messages) {
      const inner = `${scope}.${message.name}`;
      for (const field of message.field) {
        // protobufjs writes an empty type_name on scalar fields, which strict readers refuse.
        // (a proto2 field: unset is no own property, the default lives on the prototype).
        if (field.typeName === '') Reflect.deleteProperty(field, 'typeName');
        else field.typeName = resolve(field.typeName, inner);
      }
      visit(inner, message.nestedType);
    }
  };
  visit(file.package, file.messageType);
  for (const service of file.service) {
    for (const method of service.method) {
      method.inputType = resolve(method.inputType, file.package);
      method.outputType = resolve(method.outputType, file.package);
    }
  }
}
