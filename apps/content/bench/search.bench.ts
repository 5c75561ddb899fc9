/**
 * SearchDocuments benchmark (run: `npx nx run content:bench`, after the
 * transfer benchmark; or `npx tsx apps/content/bench/search.bench.ts`).
 *
 * Loads CONTENT_SEARCH_DOCUMENTS documents (default 100,000) straight into
 * PostgreSQL with one INSERT ... SELECT generate_series: a third of each kind
 * (word-processor blocks, spreadsheet cells, presentation slides), 3 to 10
 * paragraphs of 8 to 22 words each, drawn from a 20,000-word vocabulary with a
 * Zipf-like distribution (rank r has probability about 1/r; the head is
 * English's most frequent words, the tail made-up words), owned by 20 users;
 * the searching user owns 5%, has a share on another 5%, and 1% is in the
 * trash. Planted words: "zephyrine" in 1 document of 5,003, the phrase
 * "quarterly forecast" in 1 of 997 (and each word alone in about 1 of 100).
 *
 * Then, for a common word, a rare word and a phrase, it times in alternating
 * rounds:
 *   - S: SearchDocuments through gRPC, against the real content service
 *     running in a child process (parse, access filter, ranking, keyset page
 *     of 50, shares of the page, snippets, encoding);
 *   - R: the SQL statements the service's search sends (recorded from the
 *     same code, DocumentService.search, run in this process), raw over one
 *     `pg` connection: the floor the service could reach;
 *   - L: `ILIKE '%word%'` over title and content with the same access rule,
 *     newest first: what a search without a full-text index costs.
 * Prints p50/p99 per query (median over rounds) and R/S (target >= 0.7),
 * and GetDocument through the same service: the fixed cost of one call.
 *
 * Runs on a scratch database of DATABASE_URL's server (KAFKA_BROKERS for the
 * service), or of an ephemeral local stack started for the run.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSigner } from 'fast-jwt';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { createContentClient, type ContentClient } from '@nexus/clients';
import { isSearchQueryProblem, parseSearchQuery, uuidv7, type Principal } from '@nexus/core';
import {
  AggregateStore,
  PageTokenCodec,
  createDataSource,
  migrate,
  withScratchDatabase,
} from '@nexus/db';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import { freePorts, startLocalStack, type LocalStack } from '@nexus/stack';
import { database } from '../src/database';
import { documentAggregate } from '../src/documents/document.aggregate';
import { DocumentEntity } from '../src/documents/document.entity';
import { DocumentService } from '../src/documents/document.service';
import { hydrateDocuments } from '../src/documents/document.store';
import { VersionHistory } from '../src/documents/version-history';

const ROOT = path.resolve(__dirname, '../../..');
const DOCUMENTS = Number(process.env.CONTENT_SEARCH_DOCUMENTS ?? 100_000);
const ROUNDS = Number(process.env.CONTENT_SEARCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.CONTENT_SEARCH_SAMPLES ?? 20);
const OWNERS = 20;
const VOCABULARY = 20_000;
const PAGE_SIZE = 50;

/** The head of the vocabulary: English's most frequent words, most frequent first. */
const HEAD = `the of and to in is that for it as was with be by on not he this are or his from at
which but have an they you were her she there one all we their has been would more when if will
about can no said what out so up into them some could other time these two may then do first any
my now such like our over man me even most made after also did many before must through back
years where much your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being under never day
same another know while last might us great old year off come since against go came right used take
three project budget team report meeting plan review customer market sales quarter design product
client office policy contract invoice schedule launch update data service system process support
development strategy research analysis revenue growth risk account partner training hiring goal
deadline release feature issue change cost price order supply quality survey brand campaign event`
  .split(/\s+/)
  .filter(Boolean);

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'po', 've', 'da', 'gu', 'fo'];

/** The vocabulary, by rank: the head, then made-up words of 2 to 4 syllables. */
function vocabulary(): string[] {
  const words = [...new Set(HEAD)];
  const seen = new Set(words);
  for (let i = 0; words.length < VOCABULARY; i += 1) {
    let word = '';
    for (let n = i; ; n = Math.floor(n / SYLLABLES.length)) {
      word += SYLLABLES[n % SYLLABLES.length];
      if (n < SYLLABLES.length && word.length >= 4) break;
    }
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  return words;
}

const queries = (topWord: string) => [
  { name: `common word (${topWord})`, query: `${topWord} `, word: topWord },
  { name: 'rare word', query: 'zephyrine ', word: 'zephyrine' },
  { name: 'phrase', query: '"quarterly forecast" ', word: 'quarterly forecast' },
];

interface Timing {
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'nexus-content-search-bench-'));
  let stack: LocalStack | undefined;
  try {
    const given = { url: process.env.DATABASE_URL, brokers: process.env.KAFKA_BROKERS };
    if (!given.url || !given.brokers) {
      log('starting an ephemeral local stack (PostgreSQL + Kafka)...');
      stack = await startLocalStack({
        dataDir: path.join(work, 'stack'),
        ephemeral: true,
        withPostgres: !given.url,
        withKafka: !given.brokers,
      });
    }
    const databaseUrl = given.url ?? stack?.databaseUrl;
    const kafkaBrokers = given.brokers ?? stack?.kafkaBrokers;
    if (!databaseUrl || !kafkaBrokers) throw new Error('no PostgreSQL or Kafka to run on');
    await withScratchDatabase(databaseUrl, 'nexus_content_search_bench', (url) =>
      run(url, kafkaBrokers, work),
    );
  } finally {
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function run(url: string, kafkaBrokers: string, work: string): Promise<void> {
  const dataSource = createDataSource({
    url,
    ...database,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'nexus-content-search-bench',
  });
  await dataSource.initialize();
  const raw = new Client({ connectionString: url, application_name: 'nexus-content-search-raw' });
  await raw.connect();
  let service: ChildProcess | undefined;
  let client: ContentClient | undefined;
  try {
    await migrate(dataSource);
    const user: Principal = { userId: uuidv7(), role: 'user', token: '' };
    const topWord = await seed(dataSource, user.userId);

    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const [grpcPort, httpPort] = await freePorts(2);
    service = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/content/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: url,
          KAFKA_BROKERS: kafkaBrokers,
          JWT_PUBLIC_KEY: keys.publicKey,
          BIND_HOST: '127.0.0.1',
          CONTENT_GRPC_PORT: String(grpcPort),
          CONTENT_HTTP_PORT: String(httpPort),
          CONTENT_BLOB_DIR: path.join(work, 'blobs'),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await waitUntilReady(service, httpPort);
    const token = createSigner<Record<string, unknown>>({
      key: keys.privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 3_600_000,
    })({ sub: user.userId, role: 'user' });
    client = createContentClient({ address: `127.0.0.1:${grpcPort}` });
    const grpc = client;
    const viaGrpc = (query: string) =>
      grpc.documents.searchDocuments(
        contentV1.SearchDocumentsRequest.fromPartial({ query, pageSize: PAGE_SIZE }),
        { token },
      );

    // The same search code in this process, only to record the SQL it sends.
    const pageTokens = new PageTokenCodec('bench-page-token-secret-bench-page-token');
    const documents = new DocumentService(
      dataSource,
      new AggregateStore(dataSource, DocumentEntity, documentAggregate, pageTokens, {
        hydrate: hydrateDocuments,
      }),
      new VersionHistory(dataSource, pageTokens, 32),
      30,
    );
    const inProcess = (text: string) => {
      const query = parseSearchQuery(text);
      if (isSearchQueryProblem(query)) throw new Error(query.description);
      return documents.search(user, {
        query,
        kind: undefined,
        ownerId: undefined,
        updateTimeAfter: undefined,
        updateTimeBefore: undefined,
        pageSize: PAGE_SIZE,
        pageToken: '',
        includeTotalSize: false,
      });
    };

    console.log(
      `\nSearchDocuments over ${DOCUMENTS.toLocaleString('en')} documents (the user can read 10%); page of ${PAGE_SIZE}; ${ROUNDS} rounds x ${SAMPLES} samples, medians of rounds`,
    );
    console.log(
      'query                 hits  S p50      S p99      R p50      R p99      R/S(p50)  ILIKE p50',
    );
    for (const { name, query, word } of queries(topWord)) {
      const statements = await recordStatements(() => inProcess(query));
      const hits = (await viaGrpc(query)).results.length;
      const service: Timing[] = [];
      const rawTimes: Timing[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        service.push(await time(() => viaGrpc(query)));
        rawTimes.push(
          await time(async () => {
            for (const statement of statements) await raw.query(statement.text, statement.values);
          }),
        );
      }
      const ilike = await time(() => ilikeSearch(raw, user.userId, word), 3);
      const s = medianTiming(service);
      const r = medianTiming(rawTimes);
      console.log(
        `${name.padEnd(20)}${String(hits).padStart(6)}  ${ms(s.p50)} ${ms(s.p99)} ${ms(r.p50)} ${ms(r.p99)} ${(r.p50 / s.p50).toFixed(2).padStart(7)}    ${ms(ilike.p50)}`,
      );
    }
    // The fixed cost of one call through the service: GetDocument of one of the user's documents.
    const {
      rows: [own],
    } = await raw.query<{ id: string }>(
      `SELECT id FROM content.documents WHERE owner_id = $1 AND deleted_at IS NULL LIMIT 1`,
      [user.userId],
    );
    if (!own) throw new Error('the user owns no document');
    const getRounds: Timing[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      getRounds.push(await time(() => grpc.documents.getDocument({ id: own.id }, { token })));
    }
    const get = medianTiming(getRounds);
    console.log(
      `${'GetDocument (one call)'.padEnd(20)}${'1'.padStart(6)}  ${ms(get.p50)} ${ms(get.p99)}`,
    );
    console.log('target: R/S >= 0.7 (the service within 70% of the raw SQL throughput)');
  } finally {
    client?.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await raw.end();
    await dataSource.destroy();
  }
}

/**
 * The documents and shares. The GIN and trigram indexes are dropped while
 * the rows go in and built once after, as a bulk load would.
 */
async function seed(dataSource: DataSource, userId: string): Promise<string> {
  const started = performance.now();
  const words = vocabulary();
  await dataSource.query(`DROP INDEX content."IDX_documents_search"`);
  await dataSource.query(`DROP INDEX content."IDX_documents_title_trgm"`);
  const owners = [userId, ...Array.from({ length: OWNERS - 1 }, () => uuidv7())];
  // rank r drawn with probability about 1/r: exp(U * ln(V + 1)), U uniform in [0, 1)
  const word = `($1::text[])[least($2::int, floor(exp(random() * ln($2::int + 1)))::int)]`;
  await dataSource.query(
    `INSERT INTO content.documents (id, created_at, updated_at, version, deleted_at, purge_at,
                                    title, kind, content, owner_id, current_version)
     SELECT gen_random_uuid(), t, t, 1,
            CASE WHEN n % 100 = 50 THEN t END, CASE WHEN n % 100 = 50 THEN t + interval '30 days' END,
            initcap(title.text) || ' ' || n, kind, body.content, ($3::uuid[])[1 + n % $4::int], 1
       FROM generate_series(1, $5::int) AS n,
            LATERAL (SELECT now() - interval '1 minute' * ($5::int - n) AS t,
                            (ARRAY['document', 'spreadsheet', 'presentation'])[1 + n % 3]::content.document_kind AS kind) AS k,
            -- correlated with n, so drawn again for every document
            LATERAL (SELECT string_agg(${word}, ' ') AS text FROM generate_series(1, 3 + n % 4) AS w) AS title,
            LATERAL (SELECT array_agg(p.text) || array_remove(ARRAY[
                              CASE WHEN n % 5003 = 0 THEN 'a note on zephyrine' END,
                              CASE WHEN n % 997 = 0 THEN 'see the quarterly forecast' END,
                              CASE WHEN n % 101 = 0 THEN 'quarterly' END,
                              CASE WHEN n % 103 = 0 THEN 'forecast' END], NULL) AS paragraphs
                       FROM generate_series(1, 3 + (n * 7) % 8) AS i,
                            LATERAL (SELECT string_agg(${word}, ' ') AS text
                                       FROM generate_series(1, 8 + (n * i * 13) % 15) AS w) AS p) AS paras,
            LATERAL (SELECT CASE k.kind
                WHEN 'document' THEN jsonb_build_object('blocks',
                  (SELECT jsonb_agg(jsonb_build_object('type', 'paragraph', 'text', x)) FROM unnest(paras.paragraphs) AS x))
                WHEN 'spreadsheet' THEN jsonb_build_object('sheets', jsonb_build_array(jsonb_build_object(
                  'name', 'Sheet 1',
                  'cells', (SELECT jsonb_agg(to_jsonb(string_to_array(x, ' '))) FROM unnest(paras.paragraphs) AS x))))
                ELSE jsonb_build_object('slides',
                  (SELECT jsonb_agg(jsonb_build_object('title', split_part(x, ' ', 1), 'blocks', jsonb_build_array(x), 'notes', ''))
                     FROM unnest(paras.paragraphs) AS x))
              END AS content) AS body`,
    [words, VOCABULARY, owners, OWNERS, DOCUMENTS],
  );
  // The user has a viewer share on every document of the second owner.
  await dataSource.query(
    `INSERT INTO content.document_shares (document_id, user_id, role, granted_by)
     SELECT id, $1, 'viewer', owner_id FROM content.documents WHERE owner_id = $2`,
    [userId, owners[1]],
  );
  await dataSource.query(
    `CREATE INDEX "IDX_documents_search" ON content.documents USING gin (search_vector)`,
  );
  await dataSource.query(
    `CREATE INDEX "IDX_documents_title_trgm" ON content.documents USING gin (title public.gin_trgm_ops)`,
  );
  await dataSource.query('VACUUM ANALYZE content.documents');
  await dataSource.query('ANALYZE content.document_shares');
  const [{ words: total }] = await dataSource.query<{ words: string }[]>(
    `SELECT sum(length(search_vector))::text AS words FROM content.documents`,
  );
  console.log(
    `seeded ${DOCUMENTS.toLocaleString('en')} documents in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(${Number(total).toLocaleString('en')} distinct words per document summed; vocabulary's top word "${words[0]}")`,
  );
  return words[0];
}

interface Recorded {
  text: string;
  values: unknown[];
}

/**
 * The statements one search sends, as TypeORM hands them to `pg`, plus the
 * prepared read of the page's shares (queryPrepared talks to `pg` itself).
 */
async function recordStatements(
  call: () => Promise<{ items: { item: { id: string } }[] }>,
): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const prototype = PostgresQueryRunner.prototype as unknown as {
    query: (text: string, values?: unknown[], ...rest: unknown[]) => Promise<unknown>;
  };
  const original = prototype.query;
  prototype.query = function (this: unknown, text, values, ...rest) {
    recorded.push({ text, values: values ?? [] });
    return original.call(this, text, values, ...rest);
  };
  let page;
  try {
    page = await call();
  } finally {
    prototype.query = original;
  }
  if (
    !recorded.some((statement) => statement.text.includes('document_shares" WHERE document_id'))
  ) {
    const shares = `SELECT document_id, user_id, role, granted_by, created_at, updated_at
       FROM "content"."document_shares" WHERE document_id = ANY($1::uuid[])`;
    recorded.splice(1, 0, { text: shares, values: [page.items.map((hit) => hit.item.id)] });
  }
  return recorded;
}

/** The anti-baseline: a substring scan of title and content under the same access rule, newest first. */
async function ilikeSearch(raw: Client, userId: string, word: string): Promise<void> {
  await raw.query(
    `SELECT e.id, e.title, e.content FROM content.documents e
      WHERE e.deleted_at IS NULL AND (e.title ILIKE $1 OR e.content::text ILIKE $1)
        AND (e.owner_id = $2 OR EXISTS (SELECT 1 FROM content.document_shares s
                                         WHERE s.document_id = e.id AND s.user_id = $2))
      ORDER BY e.updated_at DESC, e.id DESC LIMIT 51`,
    [`%${word}%`, userId],
  );
}

async function time(work: () => Promise<unknown>, samples = SAMPLES): Promise<Timing> {
  for (let i = 0; i < 3; i += 1) await work(); // warm caches and plans
  const taken: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    await work();
    taken.push(performance.now() - started);
  }
  taken.sort((a, b) => a - b);
  return {
    p50: taken[Math.floor(taken.length * 0.5)],
    p99: taken[Math.min(taken.length - 1, Math.floor(taken.length * 0.99))],
  };
}

function medianTiming(rounds: Timing[]): Timing {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) };
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;
const log = (message: string) => process.stderr.write(`${message}\n`);

async function waitUntilReady(child: ChildProcess, httpPort: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the content service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the content service was not ready within 120 s');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
