import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What the mail sender needs to send a password reset link, and nothing more. */
export interface ResetDelivery {
  userId: string;
  email: string;
  /** The single-use reset token (base64url), in clear only inside the sealed box. */
  token: string;
  /** ISO 8601. */
  expireTime: string;
}

/** The `delivery` field of a `password_reset_requested` event value. */
export interface SealedDelivery {
  /** AES-256-GCM; no other algorithm is used. */
  alg: 'A256GCM';
  /** base64url of IV (12 bytes) | ciphertext | tag (16 bytes). */
  sealed: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Binds a box to its user: a box copied into another user's event does not open. */
const associatedData = (userId: string) => Buffer.from(`nexus.users.password_reset:${userId}`);

/**
 * Seals a reset delivery for the mail sender with the key both hold
 * (PASSWORD_RESET_DELIVERY_KEY), so the token crosses Kafka, its retention
 * and every other consumer of nexus.users.user unreadable.
 */
export function sealResetDelivery(delivery: ResetDelivery, key: Buffer): SealedDelivery {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(delivery.userId));
  const body = Buffer.concat([cipher.update(JSON.stringify(delivery), 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    sealed: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url'),
  };
}

/**
 * The mail sender's side: reads the delivery out of a
 * `nexus.users.user.password_reset_requested` event value (the parsed JSON
 * of the Kafka message) with the shared key (32 bytes, or their base64).
 * Throws when the value is not such an event, the key is wrong, or the box
 * was altered or moved to another user's event.
 */
export function openResetDelivery(value: unknown, key: Buffer | string): ResetDelivery {
  const event = value as { after?: { id?: unknown }; delivery?: Partial<SealedDelivery> } | null;
  const userId = event?.after?.id;
  const delivery = event?.delivery;
  if (typeof userId !== 'string' || delivery?.alg !== 'A256GCM' || !delivery.sealed) {
    throw new Error('not a password_reset_requested event value');
  }
  const box = Buffer.from(delivery.sealed, 'base64url');
  if (box.length < IV_BYTES + TAG_BYTES) throw new Error('the sealed delivery is truncated');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    typeof key === 'string' ? Buffer.from(key, 'base64') : key,
    box.subarray(0, IV_BYTES),
  );
  decipher.setAAD(associatedData(userId));
  decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
  const clear = Buffer.concat([
    decipher.update(box.subarray(IV_BYTES, box.length - TAG_BYTES)),
    decipher.final(),
  ]);
  const opened = JSON.parse(clear.toString('utf8')) as ResetDelivery;
  if (opened.userId !== userId) throw new Error('the sealed delivery is for another user');
  return opened;
}
