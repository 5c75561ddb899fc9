import 'reflect-metadata';
import {
  Column,
  Entity,
  Index,
  type DataSource,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { isSearchQueryProblem, parseSearchQuery, type SearchQuery } from '@nexus/core';
import { AggregateStore } from './aggregate-store';
import { BaseEntity } from './base.entity';
import { createDataSource } from './data-source';
import { migrate, pendingSchemaChanges } from './migrate';
import { PageTokenCodec } from './page-token';
import {
  SearchVectorColumn,
  addSearchVector,
  addTrigramIndex,
  applySearchLanguage,
  createSearchConfiguration,
  searchVectorSql,
} from './search-schema';

const schema = `search_${Date.now()}`;
const EXPRESSION = searchVectorSql(schema, [
  { sql: '"title"', weight: 'A' },
  { sql: '"body"', weight: 'D' },
]);

@Entity({ name: 'notes' })
@Index('IDX_notes_search', { synchronize: false })
@Index('IDX_notes_title_trgm', { synchronize: false })
class Note extends BaseEntity {
  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  body!: string;

  @SearchVectorColumn(EXPRESSION)
  readonly searchVector?: unknown;
}

class CreateNotes1796000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "${schema}"."notes" (
      "id" uuid PRIMARY KEY, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL,
      "title" text NOT NULL, "body" text NOT NULL DEFAULT '')`);
    await createSearchConfiguration(runner, schema);
    await addSearchVector(runner, {
      schema,
      table: 'notes',
      expression: EXPRESSION,
      index: 'IDX_notes_search',
    });
    await addTrigramIndex(runner, {
      schema,
      table: 'notes',
      column: 'title',
      index: 'IDX_notes_title_trgm',
    });
  }

  async down(): Promise<void> {}
}

const noteAggregate = {
  name: 'note',
  topic: 'nexus.test.note',
  toResource: (note: Note) => ({ id: note.id, title: note.title }),
};

let dataSource: DataSource;
let notes: AggregateStore<Note>;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [Note],
    migrations: [CreateNotes1796000000000],
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'search-test',
  });
  await dataSource.initialize();
  await migrate(dataSource);
  notes = new AggregateStore(
    dataSource,
    Note,
    noteAggregate as never,
    new PageTokenCodec('search-test-secret-search-test-secret'),
  );
  let at = Date.parse('2026-01-01T00:00:00Z');
  for (const [title, body] of [
    ['Quarterly report', 'Revenue grew; the running costs fell.'],
    ['Team offsite', 'We will discuss the quarterly report and the budget <draft> & more.'],
    ['Café menu', 'Crème brûlée, naïve résumé'],
    ['Runbook', 'How to run the relay'],
  ]) {
    at += 1000;
    await dataSource.query(
      `INSERT INTO "${schema}"."notes" (id, created_at, version, title, body)
       VALUES (gen_random_uuid(), $1, 1, $2, $3)`,
      [new Date(at), title, body],
    );
  }
}, 60_000);

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

function query(text: string): SearchQuery {
  const parsed = parseSearchQuery(text);
  if (isSearchQueryProblem(parsed)) throw new Error(parsed.description);
  return parsed;
}

const search = (text: string, pageToken = '', pageSize = 10) =>
  notes.search({
    query: query(text),
    filterValues: {},
    snippetSql: '"e"."body"',
    recency: 'createdAt',
    similar: 'title',
    pageSize,
    pageToken,
    includeTotal: true,
  });

const titles = async (text: string) => (await search(text)).items.map((hit) => hit.item.title);

describe('full-text search in the kit', () => {
  it('declares the generated column and indexes so the entities and migrations agree', async () => {
    // The kit's own tables (outbox, request ids) are not this fixture's migrations' business.
    const notesChanges = (await pendingSchemaChanges(dataSource)).filter((sql) =>
      sql.includes('"notes"'),
    );
    expect(notesChanges).toEqual([]);
  });

  it('ranks a title match above a body match, stems and strips accents', async () => {
    expect(await titles('quarterly report ')).toEqual(['Quarterly report', 'Team offsite']);
    expect(await titles('resume creme ')).toEqual(['Café menu']);
    // English stemming: run, running and runbook's "run" alike; "runbook" itself is another word.
    expect(await titles('running ')).toEqual(['Runbook', 'Quarterly report']);
  });

  it('cuts snippets from the body, escaped, with the matches marked', async () => {
    const [hit] = (await search('budget ')).items;
    expect(hit.snippet).toContain('<mark>budget</mark> &lt;draft&gt; &amp; more');
  });

  it('pages by keyset with a token bound to the query', async () => {
    const first = await search('the ', '', 1);
    expect(first.totalSize).toBe(3);
    const second = await search('the ', first.nextPageToken, 1);
    const third = await search('the ', second.nextPageToken, 1);
    const all = [first, second, third].flatMap((page) => page.items.map((hit) => hit.item.title));
    expect(new Set(all).size).toBe(3);
    expect(third.nextPageToken).toBe('');
    await expect(search('report ', first.nextPageToken, 1)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('falls back to word similarity on the title when nothing matches exactly', async () => {
    const page = await search('quartrly');
    expect(page.approximate).toBe(true);
    expect(page.items.map((hit) => hit.item.title)).toEqual(['Quarterly report']);
    expect((await search('report ')).approximate).toBe(false);
  });

  it('runs every query the parser accepts without a database error', async () => {
    for (const text of [
      `it's a\\b ':*|&!( `,
      '"x\' | \'y"',
      "'a':* & !b | (c <-> d) <2> e",
      '-a b OR -c',
      'Aaǅʰא\u0301\u0903\u20dd٣Ⅻ½_-([)]«»!+$^©\u00a0\u2028\u2029\u0007\u200e\ue000\u0378',
      '日本語 слово عربي',
      '-report ...',
    ]) {
      const parsed = parseSearchQuery(text);
      if (isSearchQueryProblem(parsed)) continue;
      await expect(search(text)).resolves.toBeDefined();
    }
  });

  it('changes the stemming language of a schema and recomputes its vectors', async () => {
    expect(await applySearchLanguage(dataSource, schema, 'english')).toEqual([]);
    expect(await applySearchLanguage(dataSource, schema, 'simple')).toEqual(['notes']);
    // Without stemming, "running" finds only itself.
    expect(await titles('running ')).toEqual(['Quarterly report']);
    expect(await applySearchLanguage(dataSource, schema, 'simple')).toEqual([]);
    // migrate applies the deployment's language after the migrations.
    await migrate(dataSource, { searchLanguage: 'english' });
    expect(await titles('running ')).toEqual(['Runbook', 'Quarterly report']);
    expect(await applySearchLanguage(dataSource, schema, 'english')).toEqual([]);
  });
});
