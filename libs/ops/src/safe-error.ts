/**
 * What an error may say in a log line, built from an allow-list. An error's
 * message and its other properties can quote data: a database driver's
 * message or `detail` quotes the row ("Key (email)=(ada@example.com)"), a
 * TypeORM QueryFailedError carries the query's `parameters` (a new user's
 * password hash), a SyntaxError quotes its input. So none of them is copied;
 * only fields whose values are names the code chose are: the class, a code
 * (SQLSTATE, errno name, domain code), the database object a failure concerns,
 * and the stack frames without the message line.
 */
export interface SafeError {
  type: string;
  code?: string;
  /** PostgreSQL's own error fields that name objects or code locations, never values. */
  severity?: string;
  routine?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  stack?: string;
  cause?: SafeError;
}

const IDENTIFIER = /^[\w$.\- ]{1,128}$/;
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const NAMED_FIELDS = [
  'severity',
  'routine',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
] as const;
const MAX_CAUSES = 3;

/** The SafeErrors made here: already safe, passed on as they are. */
const MADE = new WeakSet<object>();
const MAX_DEPTH = 8;

/** What is logged of a thrown value that is not an Error: its kind, nothing of its content. */
export function throwableType(value: unknown): SafeError {
  const safe = { type: kind(value) };
  MADE.add(safe);
  return safe;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return identifier(name) ?? typeof value;
}

export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) {
    if (typeof error === 'object' && error !== null && MADE.has(error)) return error as SafeError;
    return throwableType(error);
  }
  const safe: SafeError = { type: identifier(error.constructor?.name) ?? 'Error' };
  MADE.add(safe);
  // TypeORM copies the driver's fields onto the error; read them from the driver's error too.
  const sources = [error, (error as { driverError?: unknown }).driverError].filter(
    (source): source is Record<string, unknown> => typeof source === 'object' && source !== null,
  );
  for (const source of sources) {
    if (safe.code === undefined && typeof source.code === 'string' && CODE.test(source.code))
      safe.code = source.code;
    if (safe.code === undefined && typeof source.code === 'number') safe.code = String(source.code);
    for (const field of NAMED_FIELDS) {
      const value = identifier(source[field]);
      if (safe[field] === undefined && value !== undefined) safe[field] = value;
    }
  }
  const frames = stackFrames(error);
  if (frames) safe.stack = frames;
  if (error.cause !== undefined && depth < MAX_CAUSES)
    safe.cause = safeError(error.cause, depth + 1);
  return safe;
}

/** Keys whose value is taken as a thrown value: an Error, or only its kind. */
const ERROR_KEYS = new Set(['err', 'error']);

/**
 * A copy of `value` in which every Error, at any depth and inside any object
 * (plain, class instance, null-prototype), is its SafeError, and the value of
 * an `err` or `error` key that is not an Error is only its kind
 * (throwableType): a thrown string or `{ message, detail }` quotes data too.
 * Objects deeper than MAX_DEPTH are logged as their kind only.
 */
export function withSafeErrors(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return safeError(value);
  if (typeof value !== 'object' || value === null) return value;
  if (MADE.has(value)) return value;
  if (depth > MAX_DEPTH) return throwableType(value);
  if (Array.isArray(value)) return value.map((item) => withSafeErrors(item, depth + 1));
  // Serialized as they are (or as `{}`): no Error inside them reaches a line.
  if (
    ArrayBuffer.isView(value) ||
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set
  )
    return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const safe =
      ERROR_KEYS.has(key) && item !== undefined ? safeError(item) : withSafeErrors(item, depth + 1);
    if (safe !== item) copy ??= { ...value };
    if (copy) copy[key] = safe;
  }
  // A class instance with nothing to replace keeps its prototype (and toJSON).
  return copy ?? value;
}

function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

/**
 * The `at ...` lines after the message. A stack starts with "name: message",
 * and a message can span lines, so the frames are read only after that header;
 * a stack that does not start with it (message changed after capture) is left out.
 */
function stackFrames(error: Error): string | undefined {
  const stack = error.stack;
  const header = error.message ? `${error.name}: ${error.message}` : error.name;
  if (!stack?.startsWith(header)) return undefined;
  const frames = stack
    .slice(header.length)
    .split('\n')
    .filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.map((line) => line.trim()).join('\n') : undefined;
}
