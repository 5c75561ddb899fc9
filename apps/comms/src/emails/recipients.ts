import type { DirectoryEntry } from '@nexus/clients';
import { isUuid } from '@nexus/core';

/** A recipient as the API names it: a user id, or an external email address. */
export function isInternal(recipient: string): boolean {
  return isUuid(recipient);
}

export interface Addressing {
  to: string[];
  cc: string[];
  bcc: string[];
}

/** Every internal recipient once, sorted (a stable lock order for their inboxes). */
export function internalRecipients(addressing: Addressing): string[] {
  const all = [...addressing.to, ...addressing.cc, ...addressing.bcc].filter(isInternal);
  return [...new Set(all)].sort();
}

/** Every external address once, in the order first named. */
export function externalRecipients(addressing: Addressing): string[] {
  const all = [...addressing.to, ...addressing.cc, ...addressing.bcc].filter((r) => !isInternal(r));
  return [...new Set(all)];
}

/**
 * The bcc list `owner`'s copy shows: the sender sees all of it, a bcc
 * recipient sees only themselves, everyone else sees none of it.
 */
export function visibleBcc(addressing: Addressing, senderId: string, owner: string): string[] {
  if (owner === senderId) return [...addressing.bcc];
  return addressing.bcc.includes(owner) ? [owner] : [];
}

/**
 * Who a copy is from and to, by name: the full name and address of the
 * sender and of each user among the recipients the copy shows (`shown`:
 * its own to, cc and visible bcc), as the directory named them. Only what
 * the copy shows, so a bcc recipient's name is found in no one else's copy.
 */
export function correspondents(
  senderId: string,
  shown: Addressing,
  names: ReadonlyMap<string, DirectoryEntry>,
): string[] {
  const users = unique([senderId, ...shown.to, ...shown.cc, ...shown.bcc].filter(isInternal));
  return users.flatMap((id) => {
    const entry = names.get(id);
    return entry ? [entry.fullName, entry.email].filter((part) => part !== '') : [];
  });
}

/** Reply-all recipients: the original sender and every to/cc, minus the replier. */
export function replyAllAddressing(
  original: { senderId: string; to: string[]; cc: string[] },
  replier: string,
): { to: string[]; cc: string[] } {
  const to = unique([original.senderId, ...original.to]).filter((r) => r !== replier);
  const cc = unique(original.cc).filter((r) => r !== replier && !to.includes(r));
  // Replying to one's own sent message goes to its recipients.
  return { to: to.length > 0 ? to : unique(original.to), cc };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
