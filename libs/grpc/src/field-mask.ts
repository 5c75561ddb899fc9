import { KitError, toCamelCase, toSnakeCase } from '@nexus/core';

/**
 * Checks an update mask against the fields the caller may update and returns
 * them as a set. Paths are the proto (snake_case) names; JSON (camelCase)
 * names are accepted too and read as their snake_case form. An empty mask, an
 * unknown path or a forbidden path is INVALID_ARGUMENT on `update_mask`, so
 * nothing half-applies.
 */
export function checkUpdateMask<F extends string>(
  mask: readonly string[] | undefined,
  updatable: readonly F[],
): ReadonlySet<F> {
  const paths = mask?.map((path) => toSnakeCase(toCamelCase(path)));
  if (!paths || paths.length === 0) {
    throw KitError.invalid([
      { field: 'update_mask', description: 'must name at least one field', reason: 'REQUIRED' },
    ]);
  }
  const allowed = new Set<string>(updatable);
  const unknown = paths.filter((path) => !allowed.has(path));
  if (unknown.length > 0) {
    throw KitError.invalid(
      unknown.map((path) => ({
        field: 'update_mask',
        description: `"${path}" is not an updatable field (updatable: ${updatable.join(', ')})`,
        reason: 'FIELD_NOT_UPDATABLE',
      })),
    );
  }
  return new Set(paths as F[]);
}
