import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  addSearchVector,
  addTrigramIndex,
  createSearchConfiguration,
  dropSearchConfiguration,
  dropSearchVector,
} from '@nexus/db';

const DOCUMENTS = { schema: 'content', table: 'documents', index: 'IDX_documents_search' };
const FILES = { schema: 'content', table: 'files', index: 'IDX_files_search' };

/** DOCUMENT_SEARCH and FILE_SEARCH as they were when this migration landed. */
const DOCUMENT_EXPRESSION = `setweight(to_tsvector('"content".search'::regconfig, coalesce("title", '')), 'A') || setweight(to_tsvector('"content".search'::regconfig, coalesce("content"."document_text"("kind", "content"), '')), 'B')`;
const FILE_EXPRESSION = `setweight(to_tsvector('"content".search'::regconfig, coalesce(translate("name", '._-', '   '), '')), 'A') || setweight(to_tsvector('"content".search'::regconfig, coalesce("search_text", '')), 'B')`;

/**
 * The searchable text of a document's content, per kind (docs/content.md#search):
 * under the kind's root (document `blocks`, spreadsheet `sheets`, presentation
 * `slides`), every string that is an array element and every string value of
 * the kind's text keys, in document order, at most 100,000 characters (a
 * tsvector holds at most 1 MB). Spreadsheet formulas (strings starting with
 * `=`) are not text. IMMUTABLE: it reads nothing but its arguments.
 */
const DOCUMENT_TEXT = `CREATE FUNCTION "content"."document_text"(kind "content"."document_kind", body jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(coalesce(string_agg(part.text, ' ' ORDER BY node.n, part.m), ''), 100000)
    FROM jsonb_path_query(body, CASE kind
           WHEN 'document' THEN 'strict $.blocks.**'
           WHEN 'spreadsheet' THEN 'strict $.sheets.**'
           ELSE 'strict $.slides.**' END::jsonpath, '{}', true) WITH ORDINALITY AS node(value, n)
   CROSS JOIN LATERAL (
     SELECT element.value #>> '{}', element.m
       FROM jsonb_array_elements(CASE jsonb_typeof(node.value) WHEN 'array' THEN node.value ELSE '[]' END)
            WITH ORDINALITY AS element(value, m)
      WHERE jsonb_typeof(element.value) = 'string'
     UNION ALL
     SELECT node.value ->> key.name, key.m
       FROM unnest(CASE kind
              WHEN 'document' THEN ARRAY['text']
              WHEN 'spreadsheet' THEN ARRAY['name', 'value']
              ELSE ARRAY['title', 'text', 'notes'] END) WITH ORDINALITY AS key(name, m)
      WHERE jsonb_typeof(node.value -> key.name) = 'string'
   ) AS part(text, m)
   WHERE NOT (kind = 'spreadsheet' AND part.text LIKE '=%')
$$`;

/** Full-text search of documents (title, content text) and files (name, text of text/* files). */
export class SearchContent1796314115122 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createSearchConfiguration(runner, 'content');
    await runner.query(DOCUMENT_TEXT);
    await addSearchVector(runner, { ...DOCUMENTS, expression: DOCUMENT_EXPRESSION });
    await addTrigramIndex(runner, {
      schema: 'content',
      table: 'documents',
      column: 'title',
      index: 'IDX_documents_title_trgm',
    });
    // Files uploaded before this migration have no text: they are found by name.
    await runner.query(`ALTER TABLE "content"."files" ADD "search_text" text NOT NULL DEFAULT ''`);
    await addSearchVector(runner, { ...FILES, expression: FILE_EXPRESSION });
    await addTrigramIndex(runner, {
      schema: 'content',
      table: 'files',
      column: 'name',
      index: 'IDX_files_name_trgm',
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "content"."IDX_files_name_trgm"`);
    await dropSearchVector(runner, FILES);
    await runner.query(`ALTER TABLE "content"."files" DROP COLUMN "search_text"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_title_trgm"`);
    await dropSearchVector(runner, DOCUMENTS);
    await runner.query(`DROP FUNCTION "content"."document_text"("content"."document_kind", jsonb)`);
    await dropSearchConfiguration(runner, 'content');
  }
}
