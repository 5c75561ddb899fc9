import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { outboxRow, type Statement } from '../raw-sql';
import { spread, type Scenario } from '../scenario';

// The statements the service runs (SQL_ECHO=true shows them), with the same columns.
const BODY = { blocks: [{ type: 'paragraph', text: 'A document the benchmark writes.' }] };

const shares = (id: string): Statement => ({
  name: 'bench-document-shares',
  text: `SELECT document_id, user_id, role, granted_by, created_at, updated_at
         FROM "content"."document_shares" WHERE document_id IN ($1)`,
  values: [id],
});

function newDocument(title: string): contentV1.CreateDocumentRequest {
  return {
    document: contentV1.Document.fromPartial({
      title,
      kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
      content: BODY,
    }),
    requestId: '',
    versionNote: '',
  };
}

/** A user creates documents: the row, version 1, its shares read back, the outbox row. */
export const createDocument: Scenario = {
  name: 'CreateDocument',
  service: 'content',
  reference: { kind: 'h', bound: 0.65 },
  rawWork: 'BEGIN, INSERT document, INSERT version 1, its shares, outbox row, COMMIT',
  seed: async ({ caller }) => {
    const as = { token: caller.token };
    let resource: Record<string, unknown> = {};
    return {
      call: async (clients, tag, worker, n) => {
        await clients.content.documents.createDocument(
          newDocument(`Doc ${tag} ${worker} ${n}`),
          as,
        );
      },
      sample: async (clients, tag) => {
        const body = newDocument(`Doc ${tag} sample`);
        const reply = await clients.content.documents.createDocument(body, as);
        resource = contentV1.Document.toJSON(reply) as Record<string, unknown>;
        return {
          request: contentV1.CreateDocumentRequest.encode(body).finish(),
          reply: contentV1.Document.encode(reply).finish(),
        };
      },
      raw: (sql, tag, worker, n) => {
        const id = uuidv7();
        const title = `Raw ${tag} ${worker} ${n}`;
        const content = JSON.stringify(BODY);
        return sql.transaction(worker, [
          {
            name: 'bench-document-insert',
            text: `INSERT INTO "content"."documents" (id, created_at, updated_at, version, deleted_at,
                     title, kind, content, owner_id, current_version, purge_at)
                   VALUES ($1, DEFAULT, DEFAULT, 1, DEFAULT, $2, $3, $4, $5, $6, $7)
                   RETURNING created_at, updated_at, version, deleted_at, content, current_version`,
            values: [id, title, 'document', content, caller.id, 1, null],
            rows: 1,
          },
          {
            name: 'bench-document-version-insert',
            text: `INSERT INTO "content"."document_versions" (document_id, number, title, content,
                     author_id, note, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, DEFAULT) RETURNING note, created_at`,
            values: [id, 1, title, content, caller.id, ''],
            rows: 1,
          },
          shares(id),
          outboxRow(
            'content',
            {
              topic: 'nexus.content.document',
              type: 'nexus.content.document.created',
              source: '/nexus/content',
              key: id,
            },
            { before: null, after: { ...resource, id, title }, actor: caller.id },
            uuidv7(),
          ),
        ]);
      },
    };
  },
};

/** The owner reads documents: the row and its shares. */
export const getDocument: Scenario = {
  name: 'GetDocument',
  service: 'content',
  reference: { kind: 'h', bound: 0.75 },
  rawWork: 'document by id, its shares',
  seed: async ({ clients, caller, concurrency, tag }) => {
    const as = { token: caller.token };
    const ids: string[] = [];
    for (let i = 0; i < concurrency * 4; i += 1) {
      ids.push(
        (await clients.content.documents.createDocument(newDocument(`Seed ${tag} ${i}`), as)).id,
      );
    }
    return {
      call: async (clients, _tag, worker, n) => {
        await clients.content.documents.getDocument({ id: spread(ids, worker, n) }, as);
      },
      sample: async (clients) => {
        const body = { id: ids[0] };
        const reply = await clients.content.documents.getDocument(body, as);
        return {
          request: contentV1.GetDocumentRequest.encode(body).finish(),
          reply: contentV1.Document.encode(reply).finish(),
        };
      },
      raw: (sql, _tag, worker, n) => {
        const id = spread(ids, worker, n);
        return sql.run(worker, [
          {
            name: 'bench-document-by-id',
            text: `SELECT id, created_at, updated_at, version, deleted_at, title, kind, content,
                     owner_id, current_version, purge_at
                   FROM "content"."documents" WHERE id = $1 LIMIT 1`,
            values: [id],
            rows: 1,
          },
          shares(id),
        ]);
      },
    };
  },
};
