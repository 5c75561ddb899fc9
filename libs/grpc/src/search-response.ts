import type { SearchPage } from '@nexus/db';

/**
 * A Search… RPC's answer (results, next_page_token, total_size,
 * approximate) from the kit's search page: the service gives only how one
 * hit becomes its result message.
 */
export function searchResponse<E, R>(
  page: SearchPage<E>,
  toResult: (item: E, snippet: string) => R,
): { results: R[]; nextPageToken: string; totalSize: number; approximate: boolean } {
  return {
    results: page.items.map(({ item, snippet }) => toResult(item, snippet)),
    nextPageToken: page.nextPageToken,
    totalSize: page.totalSize ?? 0,
    approximate: page.approximate,
  };
}
