/** One keyset page of a List: its items and the token of the next page ("" when last). */
export interface Page<E> {
  items: E[];
  nextPageToken: string;
  totalSize?: number;
}
