import type { EntityManager } from 'typeorm';

/**
 * The cycle check, done in the database. An edge "T blocked by B" closes a
 * cycle exactly when T is among B's transitive blockers. `reach` walks from
 * B along blocked-by edges; UNION (not UNION ALL) drops every task already
 * seen, so each task is visited once: linear in the size of B's blocker set,
 * however many paths the graph has. Only when T was reached does `back`
 * recover one path: from T it steps to any task it blocks that is itself in
 * `reach`, which (the graph being acyclic before this edge) ends at B.
 * Returns that path T, ..., B, or no row when the edge is safe.
 */
const CYCLE_PATH_SQL = `
  WITH RECURSIVE reach(id) AS (
    SELECT $1::uuid
    UNION
    SELECT d.blocker_id FROM "work"."task_dependencies" d JOIN reach r ON d.task_id = r.id
  ),
  back(id, path) AS (
    SELECT $2::uuid, ARRAY[$2::uuid]
    WHERE EXISTS (SELECT 1 FROM reach WHERE id = $2::uuid)
    UNION ALL
    SELECT step.task_id, b.path || step.task_id
    FROM back b
    CROSS JOIN LATERAL (
      SELECT d.task_id FROM "work"."task_dependencies" d
      WHERE d.blocker_id = b.id AND d.task_id IN (SELECT id FROM reach)
      LIMIT 1
    ) step
    WHERE b.id <> $1::uuid
  )
  SELECT path::text[] AS path FROM back WHERE id = $1::uuid LIMIT 1`;

/**
 * One lock for every dependency insert, held to commit: two concurrent
 * inserts (A blocked by B, B blocked by A) each pass the check alone, so they
 * must not run it at the same time. A per-project lock would not do, since
 * dependencies cross projects. Only AddDependency takes it, for milliseconds.
 */
const GRAPH_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('nexus.work.task_dependencies'))`;

export async function lockDependencyGraph(manager: EntityManager): Promise<void> {
  await manager.query(GRAPH_LOCK_SQL);
}

/**
 * The cycle "task blocked by blocker" would close, as task ids each blocked
 * by the next (first = last = taskId), or null when it closes none.
 */
export async function cycleThrough(
  manager: EntityManager,
  taskId: string,
  blockerId: string,
): Promise<string[] | null> {
  if (taskId === blockerId) return [taskId, taskId];
  const [row] = await manager.query<{ path: string[] }[]>(CYCLE_PATH_SQL, [blockerId, taskId]);
  if (!row) return null;
  // path runs T -> ... -> B along "is blocked by" reversed; the cycle reads T, B, ..., T.
  return [taskId, ...[...row.path].reverse()];
}
