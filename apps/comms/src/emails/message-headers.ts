import { uuidv7 } from '@nexus/core';

/** The domain right of every Message-ID this service mints. */
export const MESSAGE_ID_DOMAIN = 'comms.nexus.local';

/** An RFC 5322 msg-id: `<unique@domain>`, angle brackets included. */
export function newMessageId(): string {
  return `<${uuidv7()}@${MESSAGE_ID_DOMAIN}>`;
}

/** The headers of a reply or forward to `original`: RFC 5322 section 3.6.4. */
export function replyHeaders(original: { messageId: string; referenceIds: readonly string[] }): {
  inReplyTo: string;
  referenceIds: string[];
} {
  const references = [...original.referenceIds.filter((id) => id !== original.messageId)];
  references.push(original.messageId);
  return { inReplyTo: original.messageId, referenceIds: references };
}

/**
 * The Message-IDs a new copy may belong to the thread of, nearest first:
 * its In-Reply-To, then its References from the newest back. The subject
 * plays no part: two unrelated messages may share one.
 */
export function threadCandidates(headers: {
  inReplyTo: string;
  referenceIds: readonly string[];
}): string[] {
  const ids = [headers.inReplyTo, ...[...headers.referenceIds].reverse()].filter(Boolean);
  return [...new Set(ids)];
}

/** "Re: x" once, however deep the reply chain. */
export function prefixSubject(prefix: 'Re' | 'Fwd', subject: string): string {
  const marker = new RegExp(`^${prefix}:\\s*`, 'i');
  return marker.test(subject) ? subject : `${prefix}: ${subject}`;
}
