import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** AIP-158: 0 means the default, larger than the maximum is coerced down, negative is an error. */
export const pageSizeSchema = z
  .number()
  .int()
  .min(0, 'must not be negative')
  .transform((size) => (size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE)));

export const pageTokenSchema = z.string().max(2048, 'is too long');

export interface Page<E> {
  items: E[];
  nextPageToken: string;
  totalSize?: number;
}
