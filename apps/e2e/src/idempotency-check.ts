import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import type { TestUser } from '@nexus/testing';
import { snapshotSchema } from './db-snapshot';
import type { RpcMethod } from './platform';
import { codeName, type Outcome } from './raw-call';

type Call = (method: RpcMethod, request: object, token?: string) => Promise<Outcome>;
type Message = Record<string, unknown> & { requests?: Record<string, unknown>[] };

/** Whether the method's request carries a request id, itself or in its batch items. */
export function takesRequestId(method: RpcMethod): boolean {
  const empty = method.request.fromPartial({}) as Message;
  if ('requestId' in empty) return true;
  const item = method.request.fromPartial({ requests: [{}] }) as Message;
  return Array.isArray(item.requests) && 'requestId' in (item.requests[0] ?? {});
}

/** The request with `key` as its request id (a batch's first item's). */
function keyed(request: Message, key: string): Message {
  if (!Array.isArray(request.requests)) return { ...request, requestId: key };
  const [first, ...rest] = request.requests;
  return { ...request, requests: [{ ...first, requestId: key }, ...rest] };
}

const refusedKey = (o: Outcome) =>
  o.code === status.INVALID_ARGUMENT && o.details.includes('request_id') && !o.response;
const denied = (o: Outcome) =>
  (o.code === status.PERMISSION_DENIED || o.code === status.NOT_FOUND) && !o.response;

/** Tables of the schema whose content a refused call must leave as it was. */
async function snapshot(schema: string): Promise<string> {
  const tables = await snapshotSchema(schema);
  // A consumer's bookkeeping moves with events of other calls, not this one.
  delete tables.processed_events;
  return JSON.stringify(tables);
}

/** The schema once the consumers have caught up with earlier calls (it stops moving). */
async function settled(schema: string): Promise<string> {
  let last = await snapshot(schema);
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await snapshot(schema);
    if (now === last) return now;
    last = now;
  }
  return last;
}

/**
 * AIP-155 for one RPC: the owner's replay gets the first result; another
 * caller presenting the key, and the owner with another request, are
 * refused, get nothing back, and change nothing. Returns what went wrong.
 */
export async function checkIdempotency(
  call: Call,
  method: RpcMethod,
  request: object,
  another: object,
  schema: string,
  owner: TestUser | null,
  stranger: TestUser,
): Promise<{ failures: string[]; strangerSaw: string }> {
  const failures: string[] = [];
  const fail = (what: string, o: Outcome) =>
    failures.push(`${method.path} ${what}: ${codeName(o.code)} (${o.details})`);
  const key = uuidv7();
  const first = keyed(request as Message, key);
  const token = owner?.token;

  const made = await call(method, first, token);
  if (made.code !== status.OK) {
    fail('first call', made);
    return { failures, strangerSaw: codeName(made.code) };
  }
  const replay = await call(method, first, token);
  if (replay.code !== status.OK) fail('replay by its owner', replay);
  else if (!replay.response?.equals(made.response!))
    failures.push(`${method.path} replay by its owner: a different answer than the first`);

  const before = await settled(schema);
  const byStranger = await call(method, first, stranger.token);
  if (!refusedKey(byStranger) && !denied(byStranger))
    fail('same key by another caller', byStranger);
  const otherBody = await call(method, keyed(another as Message, key), token);
  if (!refusedKey(otherBody)) fail('same key, another request', otherBody);
  const after = await snapshot(schema);
  if (after !== before) failures.push(`${method.path}: a refused call wrote to ${schema}`);
  return { failures, strangerSaw: refusedKey(byStranger) ? 'REUSED' : codeName(byStranger.code) };
}
