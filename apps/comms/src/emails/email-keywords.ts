import type { EmailEntity } from './email.entity';

/** JMAP system keywords this service gives a meaning to (RFC 8621 4.1.1). */
export const SEEN = '$seen';
export const DRAFT = '$draft';
export const ANSWERED = '$answered';
export const FLAGGED = '$flagged';

/** Keywords a copy may carry besides `$seen` and `$draft`. */
export const MAX_KEYWORDS = 50;

/**
 * A copy's keywords as the API shows them: the stored ones, `$seen` from
 * the read flag and `$draft` from the status, sorted.
 */
export function keywordsOf(email: EmailEntity): string[] {
  const all = [...email.keywords];
  if (email.isRead) all.push(SEEN);
  if (email.status === 'draft') all.push(DRAFT);
  return all.sort();
}

/**
 * Applies a keyword change to a copy: `$seen` moves the read flag, the
 * others the stored set (`$draft` never reaches here: validation refuses it).
 */
export function applyKeywords(
  email: EmailEntity,
  change: { set?: readonly string[]; add?: readonly string[]; remove?: readonly string[] },
): void {
  const stored = new Set(change.set ? change.set.filter((k) => k !== SEEN) : email.keywords);
  let read = change.set ? change.set.includes(SEEN) : email.isRead;
  for (const keyword of change.add ?? []) {
    if (keyword === SEEN) read = true;
    else stored.add(keyword);
  }
  for (const keyword of change.remove ?? []) {
    if (keyword === SEEN) read = false;
    else stored.delete(keyword);
  }
  email.keywords = [...stored].sort();
  email.isRead = read;
}
