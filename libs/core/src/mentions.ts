/**
 * Mentions in user-written text (chat messages, task and document comments).
 * A mention is a token the client inserts from its user picker, as Slack's
 * API does: `<@user-id>` names one user by id, `<!room>` everyone who can
 * read the place. Ids, not usernames, so a rename never breaks an old
 * mention and the server resolves nothing by name; clients render the names.
 */

/** `<@018f…>`: one user, by id (any UUID spelling; checked by the caller). */
const USER_MENTION = /<@([0-9a-fA-F-]{36})>/g;

/** `<!room>`: everyone who can read the place the text is in. */
export const EVERYONE_MENTION = '<!room>';

/** Distinct users one text may mention; more is refused (`TOO_MANY_MENTIONS`). */
export const MAX_MENTIONS = 50;

export interface Mentions {
  /** Distinct, lower-cased, in order of first appearance. */
  userIds: string[];
  /** The text mentions everyone who can read it. */
  everyone: boolean;
}

export function findMentions(text: string): Mentions {
  const userIds = [
    ...new Set([...text.matchAll(USER_MENTION)].map((match) => match[1].toLowerCase())),
  ];
  return { userIds, everyone: text.includes(EVERYONE_MENTION) };
}

/**
 * Who was mentioned where, as the `mentioned` event's resource: the mentioned
 * user, the thing that mentions them (`resourceType`/`resourceId`, what a
 * notification links to) and the place it is in (`parentId`: room, task,
 * document). Never the text: a notification shows only what its reader can
 * then Get.
 */
export interface MentionRecord {
  userId: string;
  resourceType: string;
  resourceId: string;
  parentId: string;
  actorId: string | null;
  createTime: string;
}
