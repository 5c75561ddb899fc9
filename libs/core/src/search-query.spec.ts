import {
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TERMS,
  isSearchQueryProblem,
  parseSearchQuery,
  type SearchQuery,
} from './search-query';

function parsed(text: string): SearchQuery {
  const result = parseSearchQuery(text);
  if (isSearchQueryProblem(result)) throw new Error(`${text}: ${result.reason}`);
  return result;
}

function problem(text: string): string {
  const result = parseSearchQuery(text);
  return isSearchQueryProblem(result) ? result.reason : 'parsed';
}

describe('parseSearchQuery', () => {
  it('ANDs words and treats the last one, still being typed, as a prefix', () => {
    expect(parsed('quarterly budg').tsquery).toBe(`'quarterly' & 'budg':*`);
    expect(parsed('quarterly budget ').tsquery).toBe(`'quarterly' & 'budget'`);
    // Too short a prefix would match a large share of every word.
    expect(parsed('budget q4').tsquery).toBe(`'budget' & 'q4'`);
  });

  it('keeps quoted phrases whole, and runs an unclosed quote to the end', () => {
    expect(parsed('"release notes" draft ').tsquery).toBe(`'release notes' & 'draft'`);
    expect(parsed('draft "release no').tsquery).toBe(`'draft' & 'release no'`);
  });

  it('excludes words and phrases after a minus, but not a lone minus', () => {
    expect(parsed('budget -draft -"old plan" ').tsquery).toBe(`'budget' & !'draft' & !'old plan'`);
    expect(parsed('budget - 2026 ').tsquery).toBe(`'budget' & '2026'`);
    expect(parsed('well-known').tsquery).toBe(`'well-known':*`);
  });

  it('groups alternatives joined by OR, ignoring a dangling OR', () => {
    expect(parsed('budget OR forecast 2026 ').tsquery).toBe(`('budget' | 'forecast') & '2026'`);
    expect(parsed('OR budget OR ').tsquery).toBe(`'budget'`);
    expect(parsed('budget or forecast ').tsquery).toBe(`'budget' & 'or' & 'forecast'`);
  });

  it('escapes every quote and backslash, so no input acts as an operator', () => {
    expect(parsed(`it's a\\b ':*|&!( `).tsquery).toBe(`'it\\'s' & 'a\\\\b'`);
    expect(parsed(`"x' | 'y"`).tsquery).toBe(`'x\\' | \\'y'`);
  });

  it('lists the sought words for similarity search, without exclusions', () => {
    expect(parsed('quartrly -draft "sales plan"').words).toBe('quartrly sales plan');
  });

  it('refuses queries with nothing to search for', () => {
    expect(problem('')).toBe('EMPTY_QUERY');
    expect(problem('   " " -  OR ')).toBe('EMPTY_QUERY');
    expect(problem('!!! ... ***')).toBe('EMPTY_QUERY');
    expect(problem('-draft -"old plan"')).toBe('NOTHING_TO_FIND');
    expect(problem('-draft OR budget')).toBe('NOTHING_TO_FIND');
    expect(problem('-draft ...')).toBe('NOTHING_TO_FIND');
  });

  it('bounds the length and the number of terms', () => {
    expect(problem('a'.repeat(MAX_SEARCH_QUERY_LENGTH))).toBe('parsed');
    expect(problem('a'.repeat(MAX_SEARCH_QUERY_LENGTH + 1))).toBe('QUERY_TOO_LONG');
    expect(problem('😀'.repeat(MAX_SEARCH_QUERY_LENGTH))).toBe('EMPTY_QUERY');
    expect(problem(Array.from({ length: MAX_SEARCH_TERMS }, () => 'w').join(' '))).toBe('parsed');
    expect(problem(Array.from({ length: MAX_SEARCH_TERMS + 1 }, () => 'w').join(' '))).toBe(
      'TOO_MANY_TERMS',
    );
  });

  it('finds words in every script', () => {
    expect(parsed('日本語 Ελληνικά слово عربي').tsquery).toBe(
      `'日本語' & 'Ελληνικά' & 'слово' & 'عربي':*`,
    );
  });
});
