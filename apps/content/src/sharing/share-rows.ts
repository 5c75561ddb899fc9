import type { EntityManager, EntityTarget } from 'typeorm';
import { queryPrepared } from '@nexus/db';

interface Row {
  root_id: string;
  user_id: string;
  role: string;
  granted_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The hydrate hook of a store whose roots carry their shares (files,
 * folders): one prepared query for a batch of roots, so every read returns
 * them and every change's diff and event covers them.
 */
export function shareHydrator<R extends { id: string; shares?: S[] }, S extends object>(
  share: EntityTarget<S> & (new () => S),
  table: string,
  rootColumn: string,
  rootKey: keyof S & string,
): (manager: EntityManager, roots: R[]) => Promise<void> {
  const sql = `SELECT ${rootColumn} AS root_id, user_id, role, granted_by, created_at, updated_at
     FROM "content"."${table}" WHERE ${rootColumn} = ANY($1::uuid[])`;
  return async (manager, roots) => {
    if (roots.length === 0) return;
    const rows = await queryPrepared<Row>(manager, sql, [roots.map((root) => root.id)]);
    const byRoot = new Map<string, S[]>();
    for (const row of rows) {
      const entity: S = Object.assign(new share(), {
        [rootKey]: row.root_id,
        userId: row.user_id,
        role: row.role,
        grantedBy: row.granted_by,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      } as unknown as Partial<S>);
      byRoot.set(row.root_id, [...(byRoot.get(row.root_id) ?? []), entity]);
    }
    for (const root of roots) root.shares = byRoot.get(root.id) ?? [];
  };
}
