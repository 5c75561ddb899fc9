import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { KitError, type SearchQuery } from '@nexus/core';
import type { BaseEntity } from './base.entity';
import type { PageTokenCodec } from './page-token';
import type { Page } from './pagination';
import { searchConfiguration } from './search-schema';

/** One `Search…` RPC's query, as the store runs it (see AggregateStore.search). */
export interface SearchRequest<E extends BaseEntity> {
  query: SearchQuery;
  /**
   * The caller's access rule and typed filters as conditions on alias `e`.
   * Use EXISTS subqueries rather than joins: one row per match.
   */
  filter?: (qb: SelectQueryBuilder<E>) => void;
  /** The filter values, to bind page tokens to this exact search. */
  filterValues: unknown;
  /** The text snippets are cut from: SQL over alias `e`. */
  snippetSql: string;
  /** Among equal ranks, newest first by this column (NOT NULL). */
  recency: keyof E & string;
  /** A name or title matched by word similarity when nothing matches exactly (trigram-indexed). */
  similar?: keyof E & string;
  pageSize: number;
  pageToken: string;
  includeTotal?: boolean;
}

export interface SearchHit<E> {
  item: E;
  /** HTML: the text escaped, the matches in <mark></mark>. */
  snippet: string;
}

export interface SearchPage<E> extends Page<SearchHit<E>> {
  /** The hits match by similarity (typos), because nothing matched exactly. */
  approximate: boolean;
}

/** What the search needs of its store. */
export interface SearchSource<E extends BaseEntity> {
  manager: EntityManager;
  select(manager: EntityManager): SelectQueryBuilder<E>;
  column(property: keyof E & string): string;
  schema: string;
  table: string;
  pageTokens: PageTokenCodec;
  hydrate(items: E[], manager: EntityManager): Promise<void>;
}

/**
 * How alike a sought word and a word of the name must be (pg_trgm's
 * word_similarity, 0 to 1): its default, 0.6, misses one wrong letter in an
 * eight-letter word ("quartrly" is 0.58 of "Quarterly").
 */
const WORD_SIMILARITY_THRESHOLD = 0.5;

/** Runs `work` on a manager whose searches use `mode`'s settings. */
async function inMode<T>(
  manager: EntityManager,
  mode: Mode,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (mode === 'exact') return work(manager);
  return manager.transaction(async (tx) => {
    await tx.query(`SET LOCAL pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY_THRESHOLD}`);
    return work(tx);
  });
}

type Mode = 'exact' | 'similar';

/** Page tokens of a search: bound to the query and filters; the mode travels in the cursor. */
const ORDER_KEY = 'search_relevance';

const HEADLINE_OPTIONS =
  'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "';

/**
 * One keyset page of a full-text search, best first: relevance (ts_rank_cd
 * over the weighted vector), then recency, then id. Only rows the filter
 * admits are ranked, counted or cut into snippets. When the first page of
 * an exact search is empty and the resource has a name to match, the search
 * runs again by word similarity and says so (`approximate`).
 */
export async function searchPage<E extends BaseEntity>(
  source: SearchSource<E>,
  request: SearchRequest<E>,
): Promise<SearchPage<E>> {
  const bound = { filters: request.filterValues, query: request.query.source };
  let mode: Mode = 'exact';
  let after: Keyset | undefined;
  if (request.pageToken) {
    const cursor = source.pageTokens.decode(request.pageToken, ORDER_KEY, bound);
    ({ mode, after } = parseKeyset(cursor.value, cursor.id, request.similar !== undefined));
  }
  const ranked = (chosen: Mode, from: Keyset | undefined) =>
    inMode(source.manager, chosen, async (manager) => ({
      rows: await rankedRows(source, manager, request, chosen, from),
      total: request.includeTotal
        ? await matching(source, manager, request, chosen).getCount()
        : undefined,
    }));
  let { rows, total: totalSize } = await ranked(mode, after);
  if (rows.length === 0 && !after && mode === 'exact' && request.similar) {
    mode = 'similar';
    ({ rows, total: totalSize } = await ranked(mode, undefined));
  }
  const page = rows.slice(0, request.pageSize);
  const snippets = await snippetsOf(
    source,
    request,
    page.map((row) => row.item.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({ item: row.item, snippet: snippets.get(row.item.id) ?? '' })),
    nextPageToken:
      rows.length > request.pageSize && last
        ? source.pageTokens.encode(ORDER_KEY, bound, {
            value: `${mode}|${last.rank}|${last.recency}`,
            id: last.item.id,
          })
        : '',
    totalSize,
    approximate: mode === 'similar',
  };
}

interface Keyset {
  rank: number;
  recency: string;
  id: string;
}

interface RankedRow<E> {
  item: E;
  rank: number;
  recency: string;
}

function parseKeyset(
  value: string | number,
  id: string,
  canBeSimilar: boolean,
): { mode: Mode; after: Keyset } {
  const [mode, rank, recency, extra] = String(value).split('|');
  const valid =
    (mode === 'exact' || (mode === 'similar' && canBeSimilar)) &&
    rank !== undefined &&
    Number.isFinite(Number(rank)) &&
    recency !== undefined &&
    !Number.isNaN(Date.parse(recency)) &&
    extra === undefined;
  // A token this service signed always parses; this guards a changed format.
  if (!valid)
    throw KitError.invalid([
      {
        field: 'page_token',
        description: 'is not a page token of this search',
        reason: 'INVALID_PAGE_TOKEN',
      },
    ]);
  return { mode: mode, after: { rank: Number(rank), recency: recency, id } };
}

const TSQUERY = (schema: string) => `to_tsquery(${searchConfiguration(schema)}, :tsquery)`;

function rankSql<E extends BaseEntity>(
  source: SearchSource<E>,
  request: SearchRequest<E>,
  mode: Mode,
): string {
  return mode === 'exact'
    ? `ts_rank_cd("e"."search_vector", ${TSQUERY(source.schema)})`
    : `public.word_similarity(:words, ${source.column(request.similar!)})`;
}

/** The filtered rows that match, before ranking. */
function matching<E extends BaseEntity>(
  source: SearchSource<E>,
  manager: EntityManager,
  request: SearchRequest<E>,
  mode: Mode,
): SelectQueryBuilder<E> {
  const qb = source.select(manager);
  request.filter?.(qb);
  if (mode === 'exact') {
    const query = TSQUERY(source.schema);
    // querytree is 'T' when nothing indexable is sought (only exclusions
    // survived normalisation): such a query would read every row.
    qb.andWhere(`"e"."search_vector" @@ ${query} AND querytree(${query}) <> 'T'`, {
      tsquery: request.query.tsquery,
    });
  } else {
    qb.andWhere(`:words OPERATOR(public.<%) ${source.column(request.similar!)}`, {
      words: request.query.words,
    });
  }
  return qb;
}

async function rankedRows<E extends BaseEntity>(
  source: SearchSource<E>,
  manager: EntityManager,
  request: SearchRequest<E>,
  mode: Mode,
  after: Keyset | undefined,
): Promise<RankedRow<E>[]> {
  const rank = rankSql(source, request, mode);
  const recency = source.column(request.recency);
  const qb = matching(source, manager, request, mode)
    .addSelect(rank, 'search_rank')
    .setParameters({ tsquery: request.query.tsquery, words: request.query.words });
  if (after) {
    qb.andWhere(`(${rank}, ${recency}, "e"."id") < (:afterRank::real, :afterRecency, :afterId)`, {
      afterRank: after.rank,
      afterRecency: after.recency,
      afterId: after.id,
    });
  }
  const { entities, raw } = await qb
    .orderBy('search_rank', 'DESC')
    .addOrderBy(recency, 'DESC')
    .addOrderBy('"e"."id"', 'DESC')
    .limit(request.pageSize + 1)
    .getRawAndEntities<{ e_id: string; search_rank: number }>();
  const rankOf = new Map(raw.map((row) => [row.e_id, Number(row.search_rank)]));
  await source.hydrate(entities, manager);
  return entities.map((item) => ({
    item,
    rank: rankOf.get(item.id) ?? 0,
    recency: recencyValue(item[request.recency]),
  }));
}

function recencyValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  throw new Error('a search orders by a timestamp column');
}

/** Snippets of the page's rows only: ts_headline is costly, and these rows passed the filter. */
async function snippetsOf<E extends BaseEntity>(
  source: SearchSource<E>,
  request: SearchRequest<E>,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const escaped = `replace(replace(replace(${request.snippetSql}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
  const rows = await source.manager
    .createQueryBuilder()
    .select('"e"."id"', 'id')
    .addSelect(
      `ts_headline(${searchConfiguration(source.schema)}, ${escaped}, ${TSQUERY(source.schema)}, :options)`,
      'snippet',
    )
    .from(`${source.schema}.${source.table}`, 'e')
    .where('"e"."id" = ANY(:ids)', { ids })
    .setParameters({ tsquery: request.query.tsquery, options: HEADLINE_OPTIONS })
    .getRawMany<{ id: string; snippet: string }>();
  return new Map(rows.map((row) => [row.id, row.snippet]));
}
