/**
 * The committed AsyncAPI contract (docs/asyncapi.yaml): valid against the
 * official AsyncAPI 3.0.0 JSON Schema, complete for the kit's registry of
 * topics and event types, and true to what the services put on the wire
 * (their relay's headers and key, their proto3 JSON resources).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromJson, toBinary, toJson, type DescMessage } from '@bufbuild/protobuf';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import {
  PLATFORM_EVENTS,
  PLATFORM_RESOURCES,
  VERB_RESOURCES,
  changedFields,
  eventResource,
  platformEventTypes,
  type Aggregate,
  type JsonObject,
} from '@nexus/db';
import { toKafkaMessage } from '@nexus/events';
import * as proto from '@nexus/proto';
import { ASYNCAPI_PATH, buildAsyncApiDocument } from './asyncapi-document';
import { loadDescriptors } from './proto-json-schema';
import { sampleMessageJson } from './proto-json-sample';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const asyncApiSpecs = require('@asyncapi/specs') as { schemas: Record<string, object> };

const ROOT = path.resolve(__dirname, '../..');

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<
    string,
    { action: string; channel: { $ref: string }; messages: { $ref: string }[] }
  >;
  components: {
    messages: Record<string, { headers: { properties: { ce_type: { const: string } } } }>;
    schemas: Record<string, Record<string, unknown>>;
  };
};

const committed = parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as Doc;
const registry = loadDescriptors(proto.descriptorSetPath);

function resolve(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`not a local reference: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, step) => (node as Record<string, unknown> | undefined)?.[step],
      document,
    );
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  );
}

/** Every object schema closed to fields it does not list: a field the schema lacks fails. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, closed(value)]));
  return 'properties' in copy && !('additionalProperties' in copy)
    ? { ...copy, additionalProperties: false }
    : copy;
}

/** Validators of the committed document's own schemas, with the formats the contract uses. */
function schemaValidator(strict: boolean): (pointer: string) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date-time', (text: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text),
  );
  ajv.addSchema(strict ? (closed(committed) as object) : committed, 'asyncapi');
  const compiled = new Map<string, ValidateFunction>();
  return (pointer) => {
    const validate = compiled.get(pointer) ?? ajv.compile({ $ref: `asyncapi#${pointer}` });
    compiled.set(pointer, validate);
    return validate;
  };
}

/** ts-proto's codec of a proto message (what the services' toResource calls), by full name. */
function tsProtoCodec(typeName: string): {
  namespace: string;
  name: string;
  decode: (bytes: Uint8Array) => unknown;
  toJSON: (message: unknown) => unknown;
} {
  const name = typeName.split('.').pop() as string;
  const pkg = typeName.slice(0, -name.length - 1);
  // @nexus/proto exports one namespace per package: nexus.aiusage.v1 is aiUsageV1.
  const namespaceName = Object.keys(proto).find(
    (key) => key.toLowerCase() === pkg.replace(/^nexus\./, '').replaceAll('.', ''),
  );
  const namespace = namespaceName
    ? (proto as unknown as Record<string, Record<string, unknown>>)[namespaceName]
    : undefined;
  const codec = namespace?.[name] as
    { decode(bytes: Uint8Array): unknown; toJSON(message: unknown): unknown } | undefined;
  if (!namespaceName || !codec?.decode) throw new Error(`no ts-proto codec for ${typeName}`);
  return {
    namespace: namespaceName,
    name,
    decode: (bytes) => codec.decode(bytes),
    toJSON: (message) => codec.toJSON(message),
  };
}

function resourceDescriptor(typeName: string): DescMessage {
  const message = registry.getMessage(typeName);
  if (!message) throw new Error(`${typeName} is not in the descriptor set`);
  return message;
}

/** A resource with every field set, as the service's ts-proto toJSON writes it. */
function emittedResource(typeName: string, variant: 0 | 1): JsonObject {
  const descriptor = resourceDescriptor(typeName);
  const message = fromJson(descriptor, sampleMessageJson(descriptor, variant), { registry });
  const codec = tsProtoCodec(typeName);
  return codec.toJSON(codec.decode(toBinary(descriptor, message))) as JsonObject;
}

function aggregateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return aggregateFiles(full);
    return entry.endsWith('.aggregate.ts') ? [full] : [];
  });
}

describe('AsyncAPI contract (docs/asyncapi.yaml)', () => {
  it('is what the registry and the protos generate now', () => {
    expect(committed).toEqual(
      JSON.parse(JSON.stringify(buildAsyncApiDocument())) as Record<string, unknown>,
    );
  });

  it('is a valid AsyncAPI 3.0.0 document by the official JSON Schema', () => {
    // The bundled schema carries its own copy of the draft-07 meta-schema: Ajv's stays out.
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      meta: false,
      validateSchema: false,
    });
    const validate = ajv.compile(asyncApiSpecs.schemas['3.0.0']);
    expect(validate(committed) ? [] : validate.errors).toEqual([]);
    // and it does refuse: AsyncAPI 2's verb, a topic with no partitions
    const [operation] = Object.keys(committed.operations);
    const [channel] = Object.keys(committed.channels);
    const broken = JSON.parse(JSON.stringify(committed)) as Doc;
    broken.operations[operation].action = 'publish';
    expect(validate(broken)).toBe(false);
    const noPartitions = JSON.parse(JSON.stringify(committed)) as Doc;
    Object.assign(noPartitions.channels[channel], { bindings: { kafka: { partitions: 0 } } });
    expect(validate(noPartitions)).toBe(false);
  });

  it('refers only to what it defines, and every operation sends on its own channel', () => {
    const dangling = [...new Set(refsIn(committed))].filter(
      (ref) => resolve(committed, ref) === undefined,
    );
    expect(dangling).toEqual([]);
    for (const [id, operation] of Object.entries(committed.operations)) {
      expect([id, operation.action]).toEqual([id, 'send']);
      for (const message of operation.messages) {
        expect(message.$ref.startsWith(`${operation.channel.$ref}/messages/`)).toBe(true);
      }
    }
  });

  it('has a channel for every topic the services publish, with exactly its event types', () => {
    const described = Object.values(committed.channels).flatMap((channel) =>
      Object.values(channel.messages).map((ref) => {
        const message = resolve(committed, ref.$ref) as Doc['components']['messages'][string];
        return message.headers.properties.ce_type.const;
      }),
    );
    expect(described.sort()).toEqual(platformEventTypes().sort());
    expect(Object.values(committed.channels).map((channel) => channel.address)).toEqual(
      Object.keys(PLATFORM_EVENTS).sort(),
    );
    for (const channel of Object.values(committed.channels)) {
      for (const [verb, ref] of Object.entries(channel.messages)) {
        expect(ref.$ref).toBe(`#/components/messages/${channel.address}.${verb}`);
      }
    }
  });

  it('names for every aggregate of every service the message its toResource returns', () => {
    const aggregates = readdirSync(path.join(ROOT, 'apps'))
      .filter((app) => statSync(path.join(ROOT, 'apps', app, 'src')).isDirectory())
      .flatMap((app) => aggregateFiles(path.join(ROOT, 'apps', app, 'src')))
      .flatMap((file) =>
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        Object.values(require(file) as Record<string, unknown>).filter(
          (value): value is Aggregate<never> =>
            typeof value === 'object' && value !== null && 'toResource' in value,
        ),
      );
    expect(aggregates.map((aggregate) => aggregate.topic).sort()).toEqual(
      Object.keys(PLATFORM_RESOURCES).sort(),
    );
    for (const aggregate of aggregates) {
      const codec = tsProtoCodec(PLATFORM_RESOURCES[aggregate.topic]);
      expect([aggregate.topic, aggregate.toResource.toString()]).toEqual([
        aggregate.topic,
        expect.stringContaining(`${codec.namespace}.${codec.name}.toJSON(`),
      ]);
    }
  });

  it('describes the Kafka message the relay sends for every event type', () => {
    const validator = schemaValidator(true);
    for (const type of platformEventTypes()) {
      const topic = type.slice(0, type.lastIndexOf('.'));
      const resource = emittedResource(eventResource(topic, type.split('.').pop()!)!, 0);
      const id = '0190a7e2-8d3c-7b1e-9f00-2a6b4c1d0e5f';
      const kafka = toKafkaMessage({
        id: '1',
        event_id: '0190a7e2-8d3c-7b1e-9f00-000000000001',
        topic,
        message_key: id,
        type,
        source: `/nexus/${topic.split('.')[1]}`,
        time: new Date('2026-12-03T16:00:00.000Z'),
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        payload: {
          before: null,
          after: resource,
          changed: changedFields(null, resource),
          actor: '0190a7e2-8d3c-7b1e-9f00-000000000002',
        },
      });
      const message = `/components/messages/${type}`;
      const checks: [string, unknown][] = [
        [`${message}/headers`, kafka.headers],
        [`${message}/bindings/kafka/key`, kafka.key],
        [`${message}/payload`, JSON.parse(String(kafka.value))],
      ];
      for (const [pointer, value] of checks) {
        const validate = validator(pointer);
        expect([pointer, validate(value) ? [] : validate.errors]).toEqual([pointer, []]);
      }
    }
  });

  it('fits every resource field as ts-proto and canonical proto3 JSON write it', () => {
    const validator = schemaValidator(true);
    for (const typeName of new Set([
      ...Object.values(PLATFORM_RESOURCES),
      ...Object.values(VERB_RESOURCES),
    ])) {
      const validate = validator(`/components/schemas/${typeName}`);
      const descriptor = resourceDescriptor(typeName);
      for (const variant of [0, 1] as const) {
        const canonical = toJson(
          descriptor,
          fromJson(descriptor, sampleMessageJson(descriptor, variant), { registry }),
          { registry },
        );
        for (const json of [emittedResource(typeName, variant), canonical]) {
          expect([typeName, validate(json) ? [] : validate.errors]).toEqual([typeName, []]);
        }
      }
    }
  });

  it('gives a mention event the common Mention, whatever its topic, and refuses the topic resource there', () => {
    const schemas = schemaValidator(false);
    const mention = emittedResource('nexus.common.v1.Mention', 0);
    const message = emittedResource('nexus.comms.v1.ChatMessage', 0);
    const change = schemas('/components/schemas/nexus.comms.chat-message.mentioned.Change');
    const value = (after: JsonObject) => ({
      before: null,
      after,
      changed: changedFields(null, after),
      actor: null,
    });
    expect(change(value(mention))).toBe(true);
    expect(change(value(message))).toBe(false);
  });

  it('refuses what a resource never is: an int64 as a number, an unknown enum name, a bad time', () => {
    const schemas = schemaValidator(false);
    const file = emittedResource('nexus.content.v1.File', 0);
    const validFile = schemas('/components/schemas/nexus.content.v1.File');
    expect(file.sizeBytes).toMatch(/^-?\d+$/);
    expect(validFile(file)).toBe(true);
    expect(validFile({ ...file, sizeBytes: Number(file.sizeBytes) })).toBe(false);
    expect(validFile({ ...file, createTime: 'yesterday' })).toBe(false);
    const interaction = emittedResource('nexus.aiusage.v1.AiInteraction', 0);
    const validInteraction = schemas('/components/schemas/nexus.aiusage.v1.AiInteraction');
    expect(validInteraction({ ...interaction, status: 'INTERACTION_STATUS_ERROR' })).toBe(true);
    expect(validInteraction({ ...interaction, status: 'INTERACTION_STATUS_MAYBE' })).toBe(false);
    expect(validInteraction({ ...interaction, inputTokens: '5' })).toBe(false);
    const change = schemas('/components/schemas/nexus.content.file.Change');
    const value = { before: null, after: file, changed: ['name'], actor: null };
    expect(change(value)).toBe(true);
    expect(change({ ...value, changed: ['etag'] })).toBe(false);
    expect(change({ ...value, actor: 'someone' })).toBe(false);
    expect(change({ after: file, changed: [], actor: null })).toBe(false);
  });

  it('lists in `changed` exactly the fields the kit can report as changed', () => {
    for (const [topic, typeName] of Object.entries(PLATFORM_RESOURCES)) {
      const change = committed.components.schemas[`${topic}.Change`] as {
        properties: { changed: { items: { enum: string[] } } };
      };
      const reported = changedFields(emittedResource(typeName, 0), emittedResource(typeName, 1));
      expect([topic, reported]).toEqual([topic, change.properties.changed.items.enum]);
    }
  });
});
