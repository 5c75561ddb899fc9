import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { IdempotencyKey, Principal, Role } from '@nexus/core';
import {
  inTransaction,
  likePrefix,
  requestIdReused,
  violatedUniqueConstraint,
  type CrudRepository,
  type Page,
  type SortOrder,
  type Tx,
} from '@nexus/db';
import { UsersError } from '../users.errors';
import type { PasswordHasher } from '../credentials/password-hasher';
import type { SessionEnder } from '../sessions/session.service';
import { NEVER_SIGNED_IN, type SignInState, type SignInStore } from '../credentials/sign-in.store';
import { activeCaller } from './active-caller';
import {
  checkAdmin,
  checkCreate,
  checkDelete,
  checkRead,
  checkUpdate,
  seesPrivateFields,
  type UpdatableField,
} from './user-access';
import type { UserEntity } from './user.entity';
import type { UserChanges } from './user.validation';

export interface NewUser {
  email: string;
  username: string;
  fullName: string;
  role: Role;
  preferences: Record<string, unknown>;
}

export interface UserFilters {
  role?: Role;
  isActive?: boolean;
  emailVerified?: boolean;
  namePrefix: string;
  emailPrefix: string;
}

export type UserOrder = 'create_time_desc' | 'create_time_asc' | 'username_asc';

/**
 * A user as one caller sees them. `signIn` is null in a colleague's view,
 * which leaves out the private fields (see seesPrivateFields).
 */
export interface UserView {
  user: UserEntity;
  signIn: SignInState | null;
}

const ORDERS: Record<UserOrder, SortOrder<UserEntity>> = {
  create_time_desc: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
  create_time_asc: { key: 'create_time_asc', property: 'createdAt', direction: 'ASC' },
  username_asc: { key: 'username_asc', property: 'username', direction: 'ASC' },
};

/** The user directory's rules; every write is one transaction with its event. */
export class UserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: CrudRepository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly selfSignupEnabled: boolean,
    private readonly signIns: SignInStore,
    private readonly sessions: SessionEnder,
  ) {}

  /** `caller` null is self sign-up; `system` creates without a caller (bootstrap). */
  async create(
    caller: Principal | null | 'system',
    input: NewUser,
    password: string,
    key?: IdempotencyKey,
  ): Promise<UserEntity> {
    if (caller !== 'system') checkCreate(caller, input.role, this.selfSignupEnabled);
    const passwordHash = await this.hasher.hash(password);
    const actor = caller === 'system' || caller === null ? null : caller.userId;
    return this.write(actor, async (tx) => {
      if (caller !== 'system' && caller !== null) await activeCaller(tx, caller, null);
      const { entity, created } = await this.users.create(
        tx,
        { ...input, passwordHash, isActive: true },
        key,
      );
      // The password is not in the key's digest (it is kept only as its hash), and an
      // anonymous sign-up has no caller to bind the key to: a replay proves it here.
      if (!created && !(await this.hasher.verify(entity.passwordHash, password))) {
        throw requestIdReused();
      }
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<UserView> {
    checkRead(caller);
    return this.viewOf(caller, await this.users.get(id));
  }

  async batchGet(caller: Principal, ids: string[]): Promise<UserView[]> {
    checkRead(caller);
    return this.viewsOf(caller, await this.users.getMany(ids));
  }

  async list(
    caller: Principal,
    query: {
      filters: UserFilters;
      order: UserOrder;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<UserView>> {
    checkRead(caller);
    const { filters } = query;
    const page = await this.users.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: filters,
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
    });
    return { ...page, items: await this.viewsOf(caller, page.items) };
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    fields: ReadonlySet<UpdatableField>,
    changes: UserChanges,
  ): Promise<UserView> {
    checkUpdate(caller, id, fields);
    const updated = await this.write(caller.userId, async (tx) => {
      let deactivated = false;
      const user = await this.users.update(tx, id, {
        etag: etag || undefined,
        authorize: await activeCaller(tx, caller, id),
        apply: (user) => {
          deactivated = user.isActive && changes.isActive === false;
          if (changes.email !== undefined && changes.email !== user.email) {
            user.email = changes.email;
            user.emailVerified = false; // a new address is unproven
          }
          Object.assign(
            user,
            pickDefined(changes, ['username', 'fullName', 'preferences', 'role', 'isActive']),
          );
        },
      });
      // A role change keeps the sessions: their next refresh carries the new role.
      if (deactivated) await this.sessions.endAllSessions(tx, id, 'USER_DEACTIVATED');
      return user;
    });
    return this.viewOf(caller, updated);
  }

  /** Deactivates (a soft delete: sign-in refused, data kept) or erases the user. */
  async delete(
    caller: Principal,
    id: string,
    etag: string,
    hard: boolean,
  ): Promise<UserView | null> {
    checkDelete(caller, id, hard);
    const deactivated = await this.write(caller.userId, async (tx) => {
      const authorize = await activeCaller(tx, caller, id);
      if (hard) {
        await this.users.delete(tx, id, {
          soft: false,
          etag: etag || undefined,
          authorize,
          // Each session ends with its event before the rows go with the user.
          apply: async () => {
            await this.sessions.endAllSessions(tx, id, 'USER_DELETED');
          },
        });
        return null;
      }
      const user = await this.users.update(tx, id, {
        etag: etag || undefined,
        authorize,
        verb: 'deleted',
        apply: (user) => {
          user.isActive = false;
        },
      });
      await this.sessions.endAllSessions(tx, id, 'USER_DEACTIVATED');
      return user;
    });
    return deactivated && this.viewOf(caller, deactivated);
  }

  async undelete(caller: Principal, id: string): Promise<UserView> {
    checkAdmin(caller, 'reactivate users');
    const restored = await this.write(caller.userId, async (tx) =>
      this.users.update(tx, id, {
        verb: 'restored',
        authorize: await activeCaller(tx, caller, id),
        apply: (user) => {
          user.isActive = true;
        },
      }),
    );
    return this.viewOf(caller, restored);
  }

  /** Each user as `caller` may see them; sign-in states are read only for those they fully see. */
  private async viewsOf(caller: Principal, users: UserEntity[]): Promise<UserView[]> {
    const owned = users.filter((user) => seesPrivateFields(caller, user.id));
    const states = await this.signIns.statesOf(owned.map((user) => user.id));
    return users.map((user) => ({
      user,
      signIn: seesPrivateFields(caller, user.id) ? (states.get(user.id) ?? NEVER_SIGNED_IN) : null,
    }));
  }

  private async viewOf(caller: Principal, user: UserEntity): Promise<UserView> {
    const [view] = await this.viewsOf(caller, [user]);
    return view;
  }

  /** Runs a write, turning unique-index violations into the field that clashed. */
  private async write<T>(actor: string | null, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.dataSource, actor, work);
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (constraint === 'UQ_users_email') {
        throw new UsersError('EMAIL_TAKEN', 'a user with this email already exists', [
          { field: 'user.email', description: 'is already taken', reason: 'TAKEN' },
        ]);
      }
      if (constraint === 'UQ_users_username') {
        throw new UsersError('USERNAME_TAKEN', 'a user with this username already exists', [
          { field: 'user.username', description: 'is already taken', reason: 'TAKEN' },
        ]);
      }
      throw error;
    }
  }
}

function applyFilters(qb: SelectQueryBuilder<UserEntity>, filters: UserFilters): void {
  if (filters.role !== undefined) qb.andWhere('e.role = :role', { role: filters.role });
  if (filters.isActive !== undefined)
    qb.andWhere('e.is_active = :isActive', { isActive: filters.isActive });
  if (filters.emailVerified !== undefined) {
    qb.andWhere('e.email_verified = :emailVerified', { emailVerified: filters.emailVerified });
  }
  if (filters.namePrefix) {
    qb.andWhere(
      "(e.username LIKE :namePrefix ESCAPE '\\' OR lower(e.full_name) LIKE :namePrefix ESCAPE '\\')",
      {
        namePrefix: likePrefix(filters.namePrefix),
      },
    );
  }
  if (filters.emailPrefix) {
    qb.andWhere("e.email LIKE :emailPrefix ESCAPE '\\'", {
      emailPrefix: likePrefix(filters.emailPrefix),
    });
  }
}

function pickDefined<T extends object, K extends keyof T>(
  source: T,
  keys: K[],
): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]),
  ) as Partial<Pick<T, K>>;
}
