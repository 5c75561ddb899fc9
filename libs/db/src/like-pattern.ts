/**
 * A LIKE pattern matching values that start with `prefix` literally: %, _
 * and \ in it are escaped (use with `ESCAPE '\'`).
 */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
