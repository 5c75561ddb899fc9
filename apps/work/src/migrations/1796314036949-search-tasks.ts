import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  addSearchVector,
  addTrigramIndex,
  createSearchConfiguration,
  dropSearchConfiguration,
  dropSearchVector,
} from '@nexus/db';

const TASKS = { schema: 'work', table: 'tasks', index: 'IDX_tasks_search' };
const TITLE_TRIGRAMS = {
  schema: 'work',
  table: 'tasks',
  column: 'title',
  index: 'IDX_tasks_title_trgm',
};
/** TASK_SEARCH as it was when this migration landed. */
const EXPRESSION =
  `setweight(to_tsvector('"work".search'::regconfig, coalesce("title", '')), 'A')` +
  ` || setweight(to_tsvector('"work".search'::regconfig, coalesce("description", '')), 'B')` +
  ` || setweight(to_tsvector('"work".search'::regconfig, coalesce("work"."search_tags"("tags"), '')), 'C')`;

/** Full-text search of tasks (SearchTasks), and the trigram index of its typo fallback. */
export class SearchTasks1796314036949 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createSearchConfiguration(runner, 'work');
    // array_to_string is only STABLE (it could format any element type); for
    // text[] its result depends on nothing but the array, so this is immutable.
    await runner.query(
      `CREATE FUNCTION "work"."search_tags"(tags text[]) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT array_to_string(tags, ' ') $$`,
    );
    await addSearchVector(runner, { ...TASKS, expression: EXPRESSION });
    await addTrigramIndex(runner, TITLE_TRIGRAMS);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "work"."${TITLE_TRIGRAMS.index}"`);
    await dropSearchVector(runner, TASKS);
    await runner.query(`DROP FUNCTION "work"."search_tags"(text[])`);
    await dropSearchConfiguration(runner, 'work');
  }
}
