/**
 * Version storage benchmark (run: `npx nx run content:bench`, after the
 * search benchmark; or `npx tsx apps/content/bench/versions.bench.ts`).
 *
 * Per round: one document of about 100 KiB (220 paragraphs of prose in
 * `blocks`, as the word processor stores it) receives CONTENT_VERSION_EDITS
 * (1,000) small edits, each one version, as autosave makes them: a word typed
 * or changed, a word deleted, a sentence added, now and then a paragraph
 * split, added or removed. Every version is written twice on the same server:
 *   - before: a full copy, into a table with the old layout of
 *     document_versions (title, whole content as jsonb, author, note, time);
 *   - after: through VersionHistory.append, the service's own code
 *     (a snapshot every CONTENT_VERSION_SNAPSHOT_EVERY, 32, deltas between).
 * Bytes are measured the same way for both: pg_total_relation_size (heap,
 * TOAST, indexes) after the round minus before, and the stored size of the
 * content columns (pg_column_size: after PostgreSQL's own compression).
 * It then times reads through VersionHistory (the code Get/List/Restore use):
 * the newest version, versions at every chain position, a list page of 50.
 * Prints the median of CONTENT_VERSION_ROUNDS (3) rounds.
 *
 * Runs on a scratch database of DATABASE_URL's server, or of an ephemeral
 * local PostgreSQL started for the run (no Kafka needed).
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import {
  PageTokenCodec,
  createDataSource,
  inTransaction,
  migrate,
  withScratchDatabase,
} from '@nexus/db';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { database } from '../src/database';
import type { DocumentEntity } from '../src/documents/document.entity';
import { VersionHistory } from '../src/documents/version-history';

const EDITS = Number(process.env.CONTENT_VERSION_EDITS ?? 1000);
const ROUNDS = Number(process.env.CONTENT_VERSION_ROUNDS ?? 3);
const SNAPSHOT_EVERY = Number(process.env.CONTENT_VERSION_SNAPSHOT_EVERY ?? 32);
const PARAGRAPHS = 220;
const FULL_TABLE = '"content"."bench_full_versions"';

const log = (line: string): void => void process.stdout.write(`[versions bench] ${line}\n`);

function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

const VOCABULARY =
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will more can said who out some time do into what about them only other new than then also its these two first may any like well our over such even most made after year way many must back much before where through years good people state through right very still world between under last never same another while high long'.split(
    ' ',
  );

function sentence(rnd: ReturnType<typeof random>): string {
  const words = Array.from(
    { length: 8 + rnd.int(14) },
    () => VOCABULARY[rnd.int(VOCABULARY.length)],
  );
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

function paragraph(rnd: ReturnType<typeof random>): string {
  return Array.from({ length: 5 + rnd.int(4) }, () => sentence(rnd)).join(' ');
}

type Body = { blocks: string[]; style: Record<string, unknown> };

/** One autosaved edit: mostly a word, sometimes a sentence, rarely a paragraph. */
function edit(body: Body, rnd: ReturnType<typeof random>): Body {
  const blocks = [...body.blocks];
  const at = rnd.int(blocks.length);
  const words = blocks[at].split(' ');
  const word = rnd.int(words.length);
  const roll = rnd.next();
  if (roll < 0.45) words[word] = VOCABULARY[rnd.int(VOCABULARY.length)];
  else if (roll < 0.65) words.splice(word, 0, VOCABULARY[rnd.int(VOCABULARY.length)]);
  else if (roll < 0.8 && words.length > 3) words.splice(word, 1);
  else if (roll < 0.95) words.push(sentence(rnd));
  else if (roll < 0.97) blocks.splice(at, 0, paragraph(rnd));
  else if (roll < 0.99 && blocks.length > 10) blocks.splice(at, 1);
  else blocks.splice(at, 1, words.slice(0, word).join(' '), words.slice(word).join(' '));
  if (roll < 0.95) blocks[at] = words.join(' ');
  return { ...body, blocks };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function relationBytes(dataSource: DataSource, table: string): Promise<number> {
  const [row] = await dataSource.query<{ bytes: string }[]>(
    `SELECT pg_total_relation_size($1::regclass) AS bytes`,
    [table],
  );
  return Number(row.bytes);
}

interface Round {
  fullBytes: number;
  compactBytes: number;
  fullColumnBytes: number;
  compactColumnBytes: number;
  logicalBytes: number;
  documentBytes: number;
  appendMs: number;
  newestMs: number;
  anyMs: number;
  listMs: number;
  fullReadMs: number;
}

async function round(
  dataSource: DataSource,
  history: VersionHistory,
  seed: number,
): Promise<Round> {
  const rnd = random(seed);
  let body: Body = {
    blocks: Array.from({ length: PARAGRAPHS }, () => paragraph(rnd)),
    style: { font: 'Inter', size: 11, margins: [72, 72, 72, 72] },
  };
  const id = uuidv7();
  const ownerId = uuidv7();
  await dataSource.query(
    `INSERT INTO "content"."documents" (id, version, title, kind, content, owner_id, current_version)
     VALUES ($1, 1, 'Bench', 'document', $2, $3, 1)`,
    [id, JSON.stringify(body), ownerId],
  );
  const document = {
    id,
    title: 'Bench',
    currentVersion: 0,
    content: body,
  } as unknown as DocumentEntity;
  const full0 = await relationBytes(dataSource, FULL_TABLE);
  const compact0 = await relationBytes(dataSource, '"content"."document_versions"');
  let previous: Body | null = null;
  let logicalBytes = 0;
  let appendMs = 0;
  for (let number = 1; number <= EDITS; number += 1) {
    if (number > 1) body = edit(body, rnd);
    document.currentVersion = number;
    document.content = body;
    const text = JSON.stringify(body);
    logicalBytes += Buffer.byteLength(text);
    const began = performance.now();
    await inTransaction(dataSource, ownerId, (tx) =>
      history.append(tx, document, previous, ownerId, ''),
    );
    appendMs += performance.now() - began;
    await dataSource.query(
      `INSERT INTO ${FULL_TABLE} (document_id, number, title, content, author_id, note)
       VALUES ($1, $2, 'Bench', $3, $4, '')`,
      [id, number, text, ownerId],
    );
    previous = body;
  }
  const [columns] = await dataSource.query<{ full: string; compact: string }[]>(
    `SELECT (SELECT sum(pg_column_size(content)) FROM ${FULL_TABLE} WHERE document_id = $1) AS full,
            (SELECT sum(coalesce(pg_column_size(content), 0) + coalesce(pg_column_size(delta), 0))
               FROM "content"."document_versions" WHERE document_id = $1) AS compact`,
    [id],
  );

  // Reads: the newest version, one at every position of the last chains, a page of 50.
  const time = async (work: () => Promise<unknown>, times: number) => {
    const samples: number[] = [];
    for (let i = 0; i < times; i += 1) {
      const began = performance.now();
      await work();
      samples.push(performance.now() - began);
    }
    return median(samples);
  };
  const newestMs = await time(() => history.get(id, EDITS), 20);
  let probe = 0;
  const anyMs = await time(() => history.get(id, EDITS - (probe++ % (2 * SNAPSHOT_EVERY))), 64);
  const listMs = await time(() => history.list(id, 50, ''), 10);
  probe = 0;
  const fullReadMs = await time(
    () =>
      dataSource.query(`SELECT content FROM ${FULL_TABLE} WHERE document_id = $1 AND number = $2`, [
        id,
        EDITS - (probe++ % (2 * SNAPSHOT_EVERY)),
      ]),
    64,
  );
  return {
    fullBytes: (await relationBytes(dataSource, FULL_TABLE)) - full0,
    compactBytes: (await relationBytes(dataSource, '"content"."document_versions"')) - compact0,
    fullColumnBytes: Number(columns.full),
    compactColumnBytes: Number(columns.compact),
    logicalBytes,
    documentBytes: Buffer.byteLength(JSON.stringify(body)),
    appendMs: appendMs / EDITS,
    newestMs,
    anyMs,
    listMs,
    fullReadMs,
  };
}

async function run(url: string): Promise<void> {
  const dataSource = createDataSource({
    url,
    ...database,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'nexus-content-versions-bench',
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
    // The layout of document_versions before compact storage (migration 1795680664777).
    await dataSource.query(
      `CREATE TABLE ${FULL_TABLE} (document_id uuid NOT NULL, number integer NOT NULL,
         title text NOT NULL, content jsonb NOT NULL, author_id uuid, note text NOT NULL DEFAULT '',
         created_at timestamptz(3) NOT NULL DEFAULT now(), PRIMARY KEY (document_id, number))`,
    );
    const history = new VersionHistory(
      dataSource,
      new PageTokenCodec('bench-page-token-secret-bench-page-token'),
      SNAPSHOT_EVERY,
    );
    const rounds: Round[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      const result = await round(dataSource, history, 1000 + index);
      rounds.push(result);
      log(
        `round ${index + 1}: full ${(result.fullBytes / 2 ** 20).toFixed(2)} MiB, compact ${(result.compactBytes / 2 ** 20).toFixed(2)} MiB`,
      );
    }
    const m = (pick: (r: Round) => number) => median(rounds.map(pick));
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
    const per1000 = (bytes: number) => mib((bytes * 1000) / EDITS);
    log(
      `${EDITS} edits of a ${(m((r) => r.documentBytes) / 1024).toFixed(0)} KiB document, snapshot every ${SNAPSHOT_EVERY}, median of ${ROUNDS} rounds:`,
    );
    log(`| storage | on disk per 1,000 edits | content columns per 1,000 edits | ratio |`);
    log(
      `| full copies (before) | ${per1000(m((r) => r.fullBytes))} | ${per1000(m((r) => r.fullColumnBytes))} | 1.00 |`,
    );
    log(
      `| snapshots + deltas (after) | ${per1000(m((r) => r.compactBytes))} | ${per1000(m((r) => r.compactColumnBytes))} | ${(m((r) => r.compactBytes) / m((r) => r.fullBytes)).toFixed(3)} |`,
    );
    log(`uncompressed JSON of all versions: ${per1000(m((r) => r.logicalBytes))} per 1,000 edits`);
    log(
      `append ${m((r) => r.appendMs).toFixed(2)} ms/edit; read newest ${m((r) => r.newestMs).toFixed(2)} ms, any version of the last chains ${m((r) => r.anyMs).toFixed(2)} ms (p50), list page of 50 ${m((r) => r.listMs).toFixed(1)} ms; a full copy read as before ${m((r) => r.fullReadMs).toFixed(2)} ms`,
    );
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'nexus-content-versions-bench-'));
  let stack: LocalStack | undefined;
  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      log('starting an ephemeral local PostgreSQL...');
      stack = await startLocalStack({
        dataDir: path.join(work, 'stack'),
        ephemeral: true,
        withPostgres: true,
        withKafka: false,
      });
      url = stack.databaseUrl;
    }
    if (!url) throw new Error('no PostgreSQL to run on');
    await withScratchDatabase(url, 'nexus_content_versions_bench', (scratch) => run(scratch));
  } finally {
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
