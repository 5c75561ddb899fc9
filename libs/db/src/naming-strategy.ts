import { DefaultNamingStrategy, type NamingStrategyInterface } from 'typeorm';
import { toSnakeCase } from '@nexus/core';

/** Property `createdAt` is column `created_at`, without a `name` on every column. */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(
    propertyName: string,
    customName: string | undefined,
    prefixes: string[],
  ): string {
    const name = customName ?? toSnakeCase(propertyName);
    return prefixes.length > 0 ? `${toSnakeCase(prefixes.join('_'))}_${name}` : name;
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return toSnakeCase(`${relationName}_${referencedColumnName}`);
  }
}
