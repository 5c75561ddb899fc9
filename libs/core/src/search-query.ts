/**
 * The search syntax every `Search…` RPC accepts, in the form people already
 * know from web search: words (all must match), "quoted phrases", -excluded
 * words or phrases, OR between two alternatives, and prefix matching of the
 * last word while the user is still typing it.
 *
 * The parse produces PostgreSQL `to_tsquery` input in which every term is a
 * quoted, escaped literal: no character of the user's text can act as a
 * tsquery operator, so any input either parses here or is refused with a
 * field violation, and never reaches the database as a syntax error.
 */

/** Enough for any real query; bounds the work of one search. */
export const MAX_SEARCH_QUERY_LENGTH = 500;
export const MAX_SEARCH_TERMS = 32;
/**
 * The shortest word matched as a prefix: a prefix of one or two letters
 * matches a large share of all words, and reads a large share of the index.
 */
export const MIN_PREFIX_LENGTH = 3;

export interface SearchTerm {
  text: string;
  phrase: boolean;
  excluded: boolean;
  prefix: boolean;
}

/** A parsed query: clauses that must all match, each a set of alternatives. */
export interface SearchQuery {
  /** The query as the user typed it (bound into page tokens). */
  source: string;
  clauses: SearchTerm[][];
  /** `to_tsquery` input: each term a quoted literal, joined by & | ! and :*. */
  tsquery: string;
  /** The words sought (not excluded), for similarity search when nothing matches exactly. */
  words: string;
}

export type SearchQueryProblem =
  | { reason: 'EMPTY_QUERY'; description: string }
  | { reason: 'QUERY_TOO_LONG'; description: string }
  | { reason: 'TOO_MANY_TERMS'; description: string }
  | { reason: 'NOTHING_TO_FIND'; description: string };

/** The parsed query, or why it cannot be searched for. */
export function parseSearchQuery(source: string): SearchQuery | SearchQueryProblem {
  if ([...source].length > MAX_SEARCH_QUERY_LENGTH)
    return {
      reason: 'QUERY_TOO_LONG',
      description: `must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`,
    };
  const clauses = group(tokenize(source));
  if (clauses.length === 0)
    return { reason: 'EMPTY_QUERY', description: 'must contain a word to search for' };
  const terms = clauses.flat();
  if (terms.length > MAX_SEARCH_TERMS)
    return {
      reason: 'TOO_MANY_TERMS',
      description: `must contain at most ${MAX_SEARCH_TERMS} words and phrases`,
    };
  // A query of exclusions alone would read every row; something must be sought.
  if (!clauses.some((clause) => clause.every((term) => !term.excluded)))
    return {
      reason: 'NOTHING_TO_FIND',
      description: 'must contain a word or phrase that is not excluded',
    };
  return {
    source,
    clauses,
    tsquery: clauses
      .map((clause) =>
        clause.length === 1 ? tsqueryTerm(clause[0]) : `(${clause.map(tsqueryTerm).join(' | ')})`,
      )
      .join(' & '),
    words: terms
      .filter((term) => !term.excluded)
      .map((term) => term.text)
      .join(' '),
  };
}

export function isSearchQueryProblem(
  parsed: SearchQuery | SearchQueryProblem,
): parsed is SearchQueryProblem {
  return 'reason' in parsed;
}

type Token = SearchTerm | 'OR';

/** Splits on white space; quotes group a phrase (an unclosed one runs to the end). */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const endsInWord = !/[\s"]$/u.test(source);
  let at = 0;
  while (at < source.length) {
    while (at < source.length && /\s/u.test(source[at])) at += 1;
    if (at >= source.length) break;
    const excluded = source[at] === '-' && at + 1 < source.length && !/\s/u.test(source[at + 1]);
    if (excluded) at += 1;
    if (source[at] === '"') {
      const close = source.indexOf('"', at + 1);
      const end = close < 0 ? source.length : close;
      pushTerm(tokens, source.slice(at + 1, end), { phrase: true, excluded, prefix: false });
      at = end + 1;
      continue;
    }
    let end = at;
    while (end < source.length && !/[\s"]/u.test(source[end])) end += 1;
    const word = source.slice(at, end);
    if (word === 'OR' && !excluded) tokens.push('OR');
    else {
      const prefix =
        !excluded && end === source.length && endsInWord && [...word].length >= MIN_PREFIX_LENGTH;
      pushTerm(tokens, word, { phrase: false, excluded, prefix });
    }
    at = end;
  }
  return tokens;
}

function pushTerm(tokens: Token[], raw: string, flags: Omit<SearchTerm, 'text'>): void {
  const text = raw.trim();
  // Text without a letter or digit (punctuation, symbols, "") yields no
  // lexeme: as a term it would only make a query of exclusions look sought.
  if (!/[\p{L}\p{N}]/u.test(text)) return;
  tokens.push({ text, ...flags });
}

/** AND of OR-groups: `a OR b c` is (a | b) & c; a dangling OR is ignored. */
function group(tokens: Token[]): SearchTerm[][] {
  const clauses: SearchTerm[][] = [];
  let joinNext = false;
  for (const token of tokens) {
    if (token === 'OR') {
      joinNext = clauses.length > 0;
      continue;
    }
    if (joinNext) clauses[clauses.length - 1].push(token);
    else clauses.push([token]);
    joinNext = false;
  }
  return clauses;
}

/**
 * One term as a tsquery literal: backslash and quote escaped, so the text
 * is only ever a lexeme source. A quoted literal of several words becomes a
 * phrase when PostgreSQL normalises it.
 */
function tsqueryTerm(term: SearchTerm): string {
  const literal = `'${term.text.replace(/[\\']/g, (c) => `\\${c}`)}'${term.prefix ? ':*' : ''}`;
  return term.excluded ? `!${literal}` : literal;
}
