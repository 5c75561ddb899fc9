import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import type { Tx } from '@nexus/db';
import { attachmentGrantAggregate } from './attachment-grant.aggregate';
import { AttachmentGrantEntity } from './attachment-grant.entity';
import type { Via } from './attachment-grant.validation';

/** A grant to be made: the file, the user, and who grants it. */
export interface NewGrant {
  fileId: string;
  userId: string;
  grantedBy: string;
}

/** Which grants a revocation removes: those through `via`, to `userIds` (all if empty). */
export interface GrantSelection {
  via: Via;
  userIds: readonly string[];
  /** Only grants the caller made, holds, or on files they own (absent: all, for admins and the system). */
  revokableBy?: string;
}

/*
 * The SQL of attachment grants. Grants are immutable rows: made with one
 * INSERT ... ON CONFLICT DO NOTHING (a grant that exists stays as it is and
 * gets no event), removed with one DELETE ... RETURNING; each row made or
 * removed is one event, written in the same transaction.
 */
/** The ids, among `fileIds`, of the files granted to `userId` through any message. */
export async function grantedFiles(
  manager: EntityManager,
  userId: string,
  fileIds: readonly string[],
): Promise<Set<string>> {
  if (fileIds.length === 0) return new Set();
  const rows = await manager.query<{ file_id: string }[]>(
    `SELECT DISTINCT "file_id" FROM "content"."attachment_grants"
        WHERE "user_id" = $1 AND "file_id" = ANY($2::uuid[])`,
    [userId, fileIds],
  );
  return new Set(rows.map((row) => row.file_id));
}

/** Makes the grants that do not exist yet; answers those it made. */
export async function addGrants(
  tx: Tx,
  via: Via,
  grants: readonly NewGrant[],
): Promise<AttachmentGrantEntity[]> {
  if (grants.length === 0) return [];
  const ids = grants.map(() => uuidv7());
  const rows = await tx.manager.query<{ id: string; created_at: Date; updated_at: Date }[]>(
    `INSERT INTO "content"."attachment_grants"
         ("id", "version", "file_id", "user_id", "via_service", "via_type", "via_id", "granted_by")
       SELECT grant_id, 1, file_id, user_id, $4, $5, $6, granted_by
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $7::uuid[])
              AS g(grant_id, file_id, user_id, granted_by)
       ORDER BY file_id, user_id
       ON CONFLICT ON CONSTRAINT "UQ_attachment_grants_user_file_via" DO NOTHING
       RETURNING "id", "created_at", "updated_at"`,
    [
      ids,
      grants.map((grant) => grant.fileId),
      grants.map((grant) => grant.userId),
      via.service,
      via.resourceType,
      via.resourceId,
      grants.map((grant) => grant.grantedBy),
    ],
  );
  const made = new Map(rows.map((row) => [row.id, row]));
  const created = grants.flatMap((grant, index) => {
    const row = made.get(ids[index]);
    if (!row) return [];
    return [
      tx.manager.create(AttachmentGrantEntity, {
        id: row.id,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        version: 1,
        fileId: grant.fileId,
        userId: grant.userId,
        viaService: via.service,
        viaType: via.resourceType,
        viaId: via.resourceId,
        grantedBy: grant.grantedBy,
      }),
    ];
  });
  await emitGrants(tx, 'created', created);
  return created;
}

/** Removes the selected grants; answers them, in file then user order. */
export async function removeGrants(
  tx: Tx,
  selection: GrantSelection,
): Promise<AttachmentGrantEntity[]> {
  const { via, userIds, revokableBy } = selection;
  const rows = await tx.manager.query<unknown[]>(
    `DELETE FROM "content"."attachment_grants" g
        WHERE g."via_service" = $1 AND g."via_type" = $2 AND g."via_id" = $3
          AND (cardinality($4::uuid[]) = 0 OR g."user_id" = ANY($4::uuid[]))
          AND ($5::uuid IS NULL OR g."granted_by" = $5 OR g."user_id" = $5
               OR EXISTS (SELECT 1 FROM "content"."files" f WHERE f."id" = g."file_id" AND f."owner_id" = $5))
        RETURNING g.*`,
    [via.service, via.resourceType, via.resourceId, userIds, revokableBy ?? null],
  );
  const removed = returned(rows)
    .map((row) => toEntity(tx.manager, row))
    .sort((a, b) => compare(a.fileId, b.fileId) || compare(a.userId, b.userId));
  await emitGrants(tx, 'deleted', removed);
  return removed;
}

/** Removes every grant held by a user (the user cascade). */
export async function removeGrantsOf(tx: Tx, userId: string): Promise<number> {
  const rows = await tx.manager.query<unknown[]>(
    `DELETE FROM "content"."attachment_grants" WHERE "user_id" = $1 RETURNING *`,
    [userId],
  );
  const removed = returned(rows).map((row) => toEntity(tx.manager, row));
  await emitGrants(tx, 'deleted', removed);
  return removed.length;
}

async function emitGrants(
  tx: Tx,
  verb: 'created' | 'deleted',
  grants: readonly AttachmentGrantEntity[],
): Promise<void> {
  const resource = (grant: AttachmentGrantEntity) => attachmentGrantAggregate.toResource(grant);
  await tx.emitMany(
    attachmentGrantAggregate,
    verb,
    grants.map((grant) => ({
      subject: grant.id,
      before: verb === 'deleted' ? resource(grant) : null,
      after: verb === 'created' ? resource(grant) : null,
    })),
  );
}

function toEntity(manager: EntityManager, row: Record<string, unknown>): AttachmentGrantEntity {
  return manager.create(AttachmentGrantEntity, {
    id: row.id as string,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    version: row.version as number,
    fileId: row.file_id as string,
    userId: row.user_id as string,
    viaService: row.via_service as string,
    viaType: row.via_type as string,
    viaId: row.via_id as string,
    grantedBy: row.granted_by as string,
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** TypeORM answers a DELETE ... RETURNING on PostgreSQL as [rows, count]. */
function returned(result: unknown[]): Record<string, unknown>[] {
  return (Array.isArray(result[0]) ? result[0] : result) as Record<string, unknown>[];
}
