import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import type { Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type BaseEntity, type Tx } from '@nexus/db';
import { ContentError } from '../content.errors';
import type { ShareRole } from '../documents/document-share.entity';

const MAX_SHARES = 1000;

/** A user's role on a shared thing: a child row of that thing's aggregate. */
export interface ShareRow {
  userId: string;
  role: ShareRole;
  grantedBy: string | null;
}

/** A shareable aggregate root: an owner and the shares its store hydrates. */
export interface Shareable<S extends ShareRow> extends BaseEntity {
  ownerId: string;
  shares?: S[];
}

/** How a kind of thing is shared: its share table and who may do what. */
export interface ShareSpec<R extends Shareable<S>, S extends ShareRow> {
  /** e.g. `file`, in messages. */
  label: string;
  share: EntityTarget<S>;
  /** The share table's column naming the root, e.g. `fileId`. */
  rootKey: keyof S & string;
  /** Refuses a caller who may not grant, change or revoke shares of `root`. */
  checkManage(manager: EntityManager, caller: Principal, root: R): Promise<void>;
  /** Refuses a caller who may not see `root` (ListShares). */
  checkRead(manager: EntityManager, caller: Principal, root: R): Promise<void>;
}

/**
 * Per-user grants on an aggregate whose shares are child rows (files and
 * folders): grant, change, revoke, list. Every change is an `updated` event
 * of the root whose `changed` names `shares`, through the store's one write
 * path (row lock, version, outbox). The rules are the documents' (their
 * ShareService): the user must exist and be active, the owner is never a
 * share, at most 1000 shares.
 */
export class ShareGrants<R extends Shareable<S>, S extends ShareRow> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: AggregateStore<R>,
    private readonly directory: UserDirectory,
    private readonly spec: ShareSpec<R, S>,
  ) {}

  async share(
    caller: Principal,
    rootId: string,
    userId: string,
    role: ShareRole,
    deadline?: Date,
  ): Promise<S> {
    // Checked before the transaction: no row lock is held across a network call.
    await this.spec.checkManage(this.dataSource.manager, caller, await this.store.get(rootId));
    await this.directory.requireActive(caller, [{ id: userId, field: 'user_id' }], deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const root = await this.store.update(tx, rootId, {
        authorize: async (locked) => {
          await this.spec.checkManage(tx.manager, caller, locked);
          if (locked.ownerId === userId) {
            throw new ContentError('SHARE_WITH_OWNER', 'the owner already has every right', [
              {
                field: 'user_id',
                description: `is the owner of the ${this.spec.label}`,
                reason: 'OWNER',
              },
            ]);
          }
          if (locked.shares?.some((share) => share.userId === userId)) {
            throw new ContentError(
              'SHARE_EXISTS',
              `the ${this.spec.label} is already shared with ${userId}; update the share instead`,
            );
          }
          if ((locked.shares?.length ?? 0) >= MAX_SHARES) {
            throw new ContentError(
              'TOO_MANY_SHARES',
              `a ${this.spec.label} has at most ${MAX_SHARES} shares`,
            );
          }
        },
        apply: async (_root, applying) => {
          await tx.manager.insert(this.spec.share, {
            [this.spec.rootKey]: rootId,
            userId,
            role,
            grantedBy: caller.userId,
          } as never);
          await applying.reloadChildren();
        },
      });
      return this.shareIn(root, userId);
    });
  }

  async update(caller: Principal, rootId: string, userId: string, role: ShareRole): Promise<S> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const root = await this.store.update(tx, rootId, {
        authorize: async (locked) => {
          await this.spec.checkManage(tx.manager, caller, locked);
          this.shareIn(locked, userId);
        },
        apply: async (locked, applying) => {
          if (this.shareIn(locked, userId).role === role) return;
          await tx.manager.update(this.spec.share, this.key(rootId, userId), {
            role,
            grantedBy: caller.userId,
          } as never);
          await applying.reloadChildren();
        },
      });
      return this.shareIn(root, userId);
    });
  }

  async revoke(caller: Principal, rootId: string, userId: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.store.update(tx, rootId, {
        withDeleted: true,
        authorize: async (locked) => {
          await this.spec.checkManage(tx.manager, caller, locked);
          this.shareIn(locked, userId);
        },
        apply: async (_root, applying) => {
          await tx.manager.delete(this.spec.share, this.key(rootId, userId));
          await applying.reloadChildren();
        },
      }),
    );
  }

  /** Ordered by user id. */
  async list(caller: Principal, rootId: string): Promise<S[]> {
    const root = await this.store.get(rootId, { withDeleted: true });
    await this.spec.checkRead(this.dataSource.manager, caller, root);
    return [...(root.shares ?? [])].sort((a, b) => a.userId.localeCompare(b.userId));
  }

  /** Revokes every share granted to a user (the user cascade); one event per root. */
  async revokeAllOf(tx: Tx, userId: string): Promise<number> {
    const granted = await tx.manager.find(this.spec.share, {
      where: { userId } as never,
    });
    for (const share of granted) {
      const rootId = share[this.spec.rootKey] as unknown as string;
      await this.store.update(tx, rootId, {
        withDeleted: true,
        apply: async (_root, applying) => {
          await tx.manager.delete(this.spec.share, this.key(rootId, userId));
          await applying.reloadChildren();
        },
      });
    }
    return granted.length;
  }

  private key(rootId: string, userId: string): ObjectLiteral {
    return { [this.spec.rootKey]: rootId, userId };
  }

  private shareIn(root: R, userId: string): S {
    const share = root.shares?.find((candidate) => candidate.userId === userId);
    if (!share) {
      throw new ContentError(
        'SHARE_NOT_FOUND',
        `the ${this.spec.label} is not shared with ${userId}`,
        [],
        {
          resource: `${this.spec.label}_share`,
          id: userId,
        },
      );
    }
    return share;
  }
}
