/**
 * The folder tree in SQL: a folder share reaches every folder below it, so
 * the rules walk parent_id with recursive queries (PostgreSQL does the walk
 * in one statement; no query per level). Each fragment binds `:reader`, the
 * caller's user id.
 */

/** Ids of the folders shared with :reader and of every folder below them. */
export const FOLDERS_SHARED_WITH_READER = `WITH RECURSIVE "shared"("id") AS (
    SELECT "fs"."folder_id" FROM "content"."folder_shares" "fs" WHERE "fs"."user_id" = :reader
    UNION
    SELECT "sub"."id" FROM "content"."folders" "sub" JOIN "shared" ON "sub"."parent_id" = "shared"."id"
  ) SELECT "id" FROM "shared"`;

/**
 * The best role :reader holds through a share of the folder `start` (an SQL
 * expression of a folder id, e.g. a column) or of any folder above it; NULL
 * when none. share_role is an enum declared viewer < commenter < editor.
 */
export function folderRoleSql(start: string): string {
  return `(WITH RECURSIVE "up"("id") AS (
      SELECT ${start}
      UNION
      SELECT "anc"."parent_id" FROM "content"."folders" "anc" JOIN "up" ON "anc"."id" = "up"."id"
       WHERE "anc"."parent_id" IS NOT NULL
    ) SELECT max("fs"."role") FROM "content"."folder_shares" "fs"
       WHERE "fs"."user_id" = :reader AND "fs"."folder_id" IN (SELECT "id" FROM "up"))`;
}

/** Whether folder $2 is folder $1 or lies below it (a move of $1 under $2 would close a cycle). */
export const IS_SELF_OR_DESCENDANT = `WITH RECURSIVE "up"("id") AS (
    SELECT $2::uuid
    UNION
    SELECT "anc"."parent_id" FROM "content"."folders" "anc" JOIN "up" ON "anc"."id" = "up"."id"
     WHERE "anc"."parent_id" IS NOT NULL
  ) SELECT EXISTS (SELECT 1 FROM "up" WHERE "id" = $1::uuid) AS "cycle"`;
