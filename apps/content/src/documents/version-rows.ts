import { applyDelta, canonicalJson, type ContentDelta } from './version-delta';

// How a stored version row becomes the version the API shows: its content rebuilt from snapshot and deltas.

/** A version as the API shows it: its content whole, however it is stored. */
export interface DocumentVersion {
  documentId: string;
  number: number;
  title: string;
  content: Record<string, unknown>;
  authorId: string | null;
  note: string;
  keepForever: boolean;
  createdAt: Date;
}

/** A row of document_versions as SQL returns it. */
export interface VersionRow {
  document_id: string;
  number: number;
  title: string;
  content: Record<string, unknown> | null;
  delta: ContentDelta | null;
  base_number: number | null;
  chain_length: number;
  keep_forever: boolean;
  author_id: string | null;
  note: string;
  created_at: Date;
}

/** A row's content: its snapshot, or its base's canonical text with its delta applied (memoised). */
export function contentOf(
  row: VersionRow,
  rows: ReadonlyMap<number, VersionRow>,
  texts: Map<number, string>,
): Record<string, unknown> {
  if (row.content) return row.content;
  return JSON.parse(textOf(row, rows, texts)) as Record<string, unknown>;
}

function textOf(
  target: VersionRow,
  rows: ReadonlyMap<number, VersionRow>,
  texts: Map<number, string>,
): string {
  // Walk down to a snapshot (or a text already built), then apply the deltas upwards.
  const pending: VersionRow[] = [];
  let row = target;
  let text = texts.get(row.number);
  while (text === undefined) {
    if (row.content) {
      text = canonicalJson(row.content);
      break;
    }
    pending.push(row);
    const base = rows.get(row.base_number as number);
    if (!base) {
      throw new Error(
        `version ${row.number} of document ${row.document_id} has no base ${row.base_number}`,
      );
    }
    row = base;
    text = texts.get(row.number);
  }
  texts.set(row.number, text);
  for (const delta of pending.reverse()) {
    text = applyDelta(text, delta.delta as ContentDelta);
    texts.set(delta.number, text);
  }
  return text;
}

export function toVersion(
  row: VersionRow,
  rebuilt: { content?: Record<string, unknown> },
): DocumentVersion {
  return {
    documentId: row.document_id,
    number: row.number,
    title: row.title,
    content: rebuilt.content ?? row.content ?? {},
    authorId: row.author_id,
    note: row.note,
    keepForever: row.keep_forever,
    createdAt: row.created_at,
  };
}
