import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateAiUsage1795680327034 } from './1795680327034-create-ai-usage';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { RollupSlots1796289049943 } from './1796289049943-rollup-slots';
import { PromptHmac1796301099974 } from './1796301099974-prompt-hmac';
import { ErasedUsers1796302668568 } from './1796302668568-erased-users';
import { DefaultModelPrices1796314200000 } from './1796314200000-default-model-prices';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';

/** Every migration of the ai_usage schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateAiUsage1795680327034,
  KitRequestIds1796279400000,
  RollupSlots1796289049943,
  PromptHmac1796301099974,
  ErasedUsers1796302668568,
  DefaultModelPrices1796314200000,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
];
