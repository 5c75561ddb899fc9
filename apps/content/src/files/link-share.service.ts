import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { AttemptThrottle, inTransaction, type AggregateStore } from '@nexus/db';
import { ContentError } from '../content.errors';
import { LINK_PASSWORD_THROTTLES, database } from '../database';
import type { BlobStorage } from './blob-storage';
import { checkEditFile, checkReadFile, fileAccessOf } from './file-access';
import type { FileEntity } from './file.entity';
import { CHUNK_BYTES } from './file.service';
import { linkShareAggregate } from './link-share.aggregate';
import { LinkShareEntity } from './link-share.entity';
import { hashLinkPassword, hashLinkToken, newLinkToken, verifyLinkPassword } from './link-token';

const MAX_LINKS_PER_FILE = 100;

/**
 * Wrong passwords a link takes before each further attempt waits (the
 * configured delay, doubling to 60 s), and the count at which it locks for
 * 15 minutes; a count is forgotten after an hour without a failure. A
 * link's token is the first secret, so these only slow whoever already
 * holds the link.
 */
const LINK_PASSWORD_LIMITS = { soft: 5, hard: 20 };
const LINK_PASSWORD_BACKOFF = { delayMaxSeconds: 60, lockoutSeconds: 900, resetSeconds: 3_600 };

/** The refusal of a guess while the link is closed; the wait also goes as RetryInfo. */
function passwordThrottled(retryAfter: number): ContentError {
  return new ContentError(
    'LINK_PASSWORD_THROTTLED',
    `too many wrong passwords for this link; retry in ${retryAfter} s`,
    [],
    { retry_after_seconds: String(retryAfter) },
    { retryDelaySeconds: retryAfter },
  );
}

export interface NewLinkShare {
  expiresAt?: Date;
  password?: string;
  downloadLimit?: number;
}

/** A link's file as the link's holder sees it. */
export interface OpenedLink {
  link: LinkShareEntity;
  file: FileEntity;
}

/**
 * Link shares: the owner, admins and editors of a file make links to it;
 * anyone holding a link's token (and its password) reads the file without
 * signing in. Wrong passwords are throttled per link (LINK_PASSWORD_LIMITS). A download counts against the link's limit in one conditional
 * UPDATE, so concurrent downloads never pass it.
 */
export class LinkShareService {
  private readonly passwordAttempts: AttemptThrottle;

  constructor(
    private readonly dataSource: DataSource,
    private readonly files: AggregateStore<FileEntity>,
    private readonly links: AggregateStore<LinkShareEntity>,
    private readonly blobs: BlobStorage,
    passwordDelaySeconds = 1,
  ) {
    this.passwordAttempts = new AttemptThrottle(
      dataSource,
      { schema: database.schema, table: LINK_PASSWORD_THROTTLES },
      { ...LINK_PASSWORD_BACKOFF, delayBaseSeconds: passwordDelaySeconds },
      passwordThrottled,
    );
  }

  /** The new link and its token, which is returned here only (a hash is kept). */
  async create(
    caller: Principal,
    fileId: string,
    input: NewLinkShare,
  ): Promise<{ link: LinkShareEntity; token: string }> {
    await this.checkEdit(caller, fileId, false);
    const token = newLinkToken();
    const passwordHash = input.password ? await hashLinkPassword(input.password) : null;
    const link = await inTransaction(this.dataSource, caller.userId, async (tx) => {
      // Under the file's lock: the count cannot race another create.
      await this.files.update(tx, fileId, {
        authorize: async (file) => {
          checkEditFile(caller, await fileAccessOf(tx.manager, caller, file), fileId);
          if (
            (await tx.manager.count(LinkShareEntity, { where: { fileId } })) >= MAX_LINKS_PER_FILE
          ) {
            throw new ContentError(
              'TOO_MANY_LINKS',
              `a file has at most ${MAX_LINKS_PER_FILE} link shares`,
            );
          }
        },
        apply: () => undefined,
      });
      const { entity } = await this.links.create(tx, {
        fileId,
        tokenHash: hashLinkToken(token),
        passwordHash,
        passwordProtected: passwordHash !== null,
        createdBy: caller.userId,
        expiresAt: input.expiresAt ?? null,
        downloadLimit: input.downloadLimit ? String(input.downloadLimit) : null,
        downloadCount: '0',
      });
      return entity;
    });
    return { link, token };
  }

  /** Newest first; for those who may make links. */
  async list(caller: Principal, fileId: string): Promise<LinkShareEntity[]> {
    await this.checkEdit(caller, fileId, true);
    return this.dataSource.manager.find(LinkShareEntity, {
      where: { fileId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  async revoke(caller: Principal, id: string): Promise<void> {
    const link = await this.links.get(id);
    await this.checkEdit(caller, link.fileId, true);
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.links.delete(tx, id, { soft: false }),
    );
  }

  /** The link's file, if the token, the password, the expiry and the downloads left allow. */
  async open(token: string, password: string): Promise<OpenedLink> {
    const link = await this.dataSource.manager
      .createQueryBuilder(LinkShareEntity, 'e')
      .addSelect('e.passwordHash')
      .where('e.token_hash = :hash', { hash: hashLinkToken(token) })
      .getOne();
    const file = link && (await this.files.find(link.fileId));
    if (!link || !file) throw new KitError('NOT_FOUND', 'no file is shared by this link');
    if (link.passwordHash) {
      if (!password) {
        throw new ContentError('LINK_PASSWORD_REQUIRED', 'this link needs its password');
      }
      // Counted before the (slow) check, so parallel guesses cannot all pass below the limit.
      await this.passwordAttempts.admit([{ key: link.id, limits: LINK_PASSWORD_LIMITS }]);
      if (!(await verifyLinkPassword(link.passwordHash, password))) {
        throw new ContentError('LINK_PASSWORD_MISMATCH', 'the password does not match the link');
      }
      await this.passwordAttempts.clear([link.id]);
    }
    checkUsable(link);
    return { link, file };
  }

  /**
   * Counts one download of the link, then opens the bytes. The count is one
   * UPDATE whose WHERE re-checks the limit, the expiry and the trash, so of
   * concurrent downloads exactly as many as the limit allows succeed.
   */
  async download(token: string, password: string): Promise<OpenedLink & { bytes: Readable }> {
    const opened = await this.open(token, password);
    if (!(await this.blobs.exists(opened.file.sha256))) {
      throw new ContentError('BLOB_MISSING', 'the bytes of the shared file are not available');
    }
    const link = await inTransaction(this.dataSource, null, async (tx) => {
      const [, affected] = await tx.manager.query<[unknown, number]>(
        `UPDATE "content"."link_shares" l SET download_count = download_count + 1
          WHERE l.id = $1
            AND (l.download_limit IS NULL OR l.download_count < l.download_limit)
            AND (l.expires_at IS NULL OR l.expires_at > now())
            AND EXISTS (SELECT 1 FROM "content"."files" f WHERE f.id = l.file_id AND f.deleted_at IS NULL)`,
        [opened.link.id],
      );
      const after = await this.links.find(opened.link.id, { manager: tx.manager });
      if (affected === 0 || !after) {
        if (after) checkUsable(after);
        throw new KitError('NOT_FOUND', 'no file is shared by this link');
      }
      const before = { ...after, downloadCount: String(BigInt(after.downloadCount) - 1n) };
      await tx.emitResources(
        linkShareAggregate,
        'downloaded',
        after.id,
        linkShareAggregate.toResource(before),
        linkShareAggregate.toResource(after),
      );
      return after;
    });
    return { link, file: opened.file, bytes: this.blobs.get(opened.file.sha256, CHUNK_BYTES) };
  }

  private async checkEdit(caller: Principal, fileId: string, withDeleted: boolean): Promise<void> {
    const file = await this.files.get(fileId, { withDeleted, hydrate: false });
    const access = await fileAccessOf(this.dataSource.manager, caller, file);
    checkReadFile(access, fileId);
    checkEditFile(caller, access, fileId);
  }
}

function checkUsable(link: LinkShareEntity): void {
  if (link.expiresAt && link.expiresAt.getTime() <= Date.now()) {
    throw new ContentError('LINK_EXPIRED', 'this link has expired');
  }
  if (link.downloadLimit !== null && BigInt(link.downloadCount) >= BigInt(link.downloadLimit)) {
    throw new ContentError('DOWNLOAD_LIMIT_REACHED', 'this link has no downloads left');
  }
}
