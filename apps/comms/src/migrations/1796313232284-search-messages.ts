import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  addSearchVector,
  createSearchConfiguration,
  dropSearchConfiguration,
  dropSearchVector,
} from '@nexus/db';

const MESSAGES = { schema: 'comms', table: 'chat_messages', index: 'IDX_chat_messages_search' };
/** CHAT_MESSAGE_SEARCH as it was when this migration landed. */
const EXPRESSION = `setweight(to_tsvector('"comms".search'::regconfig, coalesce("text", '')), 'A')`;

/** Full-text search of chat messages (SearchMessages). */
export class SearchMessages1796313232284 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createSearchConfiguration(runner, 'comms');
    await addSearchVector(runner, { ...MESSAGES, expression: EXPRESSION });
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropSearchVector(runner, MESSAGES);
    await dropSearchConfiguration(runner, 'comms');
  }
}
