/**
 * One write path: locking an aggregate's root, checking its etag and diffing
 * it belong to the kit's AggregateStore (libs/db). A service that needs
 * something the store does not give gets it added there, not written again
 * in the app. This spec reads every non-test source file under apps/ and
 * fails on the marks of a write path of its own.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const APPS = path.resolve(__dirname, '..', 'apps');

/** What only the kit may write, and why a service writing it is wrong. */
const FORBIDDEN: readonly { mark: RegExp; why: string }[] = [
  { mark: /ETAG_MISMATCH/, why: 'builds the etag error (use the store, or checkEtag)' },
  { mark: /ROW_WRITE_LOCK/, why: "takes the store's row lock itself" },
  { mark: /FOR NO KEY UPDATE|for_no_key_update/i, why: 'locks a row for writing itself' },
  { mark: /\bchangedFields\b/, why: 'diffs an aggregate itself' },
  {
    mark: /\bclaimRequestId\b|\bRequestIdRecord\b/,
    why: "claims a request id itself (use the store's create or addChild)",
  },
  {
    mark: /\binsert\s+into\s+[^\s(]*\brequest_ids\b/i,
    why: "claims request ids with SQL of its own (use the store's create or createMany)",
  },
  {
    mark: /\binsert\s+into\s+[^\s(]*\boutbox\b/i,
    why: 'writes outbox rows with SQL of its own (use tx.emit or tx.emitMany)',
  },
  {
    mark: /\bclass \w*UserDirectory\b/,
    why: "has a user directory of its own (use @nexus/clients')",
  },
];

/**
 * Tests may name the error they expect; only sources that run in a service
 * count. Benchmarks are not services: their raw reference (P) must send the
 * same SQL the kit sends, locks and outbox rows included.
 */
const isTest = (file: string) =>
  /\.(int-)?spec\.ts$/.test(file) ||
  file.split(path.sep).some((part) => part === 'testing' || part === 'bench');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !isTest(full) ? [full] : [];
  });
}

/** Every `file: line: why` where a source under `root` writes a forbidden mark. */
export function ownWritePaths(root: string): string[] {
  const found: string[] = [];
  for (const file of sources(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        for (const { mark, why } of FORBIDDEN) {
          if (mark.test(line)) found.push(`${path.relative(root, file)}:${index + 1}: ${why}`);
        }
      });
  }
  return found;
}

describe('one aggregate write path', () => {
  it('no service locks, etag-checks, diffs or claims a request id itself, nor has a user directory', () => {
    expect(ownWritePaths(APPS)).toEqual([]);
  });

  it('would find each mark in a service source, and ignore it in a test', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'one-write-path-'));
    try {
      const src = path.join(root, 'svc', 'src');
      mkdirSync(path.join(src, 'testing'), { recursive: true });
      const marks = [
        "throw new KitError('ETAG_MISMATCH', 'stale');",
        'await manager.findOne(Room, { where: { id }, lock: ROW_WRITE_LOCK });',
        'SELECT * FROM rooms WHERE id = $1 FOR NO KEY UPDATE',
        'if (changedFields(before, after).length === 0) return;',
        'const earlier = await claimRequestId(tx, key, topic, id);',
        'export class UserDirectory {',
        'INSERT INTO "svc"."request_ids" (request_id) VALUES ($1)',
        '`INSERT INTO ${schema}."outbox" (event_id) SELECT id FROM x`',
      ].join('\n');
      writeFileSync(path.join(src, 'bad.store.ts'), marks);
      writeFileSync(path.join(src, 'bad.int-spec.ts'), marks);
      writeFileSync(path.join(src, 'testing', 'harness.ts'), marks);
      expect(ownWritePaths(root)).toEqual([
        `${path.join('svc', 'src', 'bad.store.ts')}:1: builds the etag error (use the store, or checkEtag)`,
        `${path.join('svc', 'src', 'bad.store.ts')}:2: takes the store's row lock itself`,
        `${path.join('svc', 'src', 'bad.store.ts')}:3: locks a row for writing itself`,
        `${path.join('svc', 'src', 'bad.store.ts')}:4: diffs an aggregate itself`,
        `${path.join('svc', 'src', 'bad.store.ts')}:5: claims a request id itself (use the store's create or addChild)`,
        `${path.join('svc', 'src', 'bad.store.ts')}:6: has a user directory of its own (use @nexus/clients')`,
        `${path.join('svc', 'src', 'bad.store.ts')}:7: claims request ids with SQL of its own (use the store's create or createMany)`,
        `${path.join('svc', 'src', 'bad.store.ts')}:8: writes outbox rows with SQL of its own (use tx.emit or tx.emitMany)`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
