import { defineAggregate, type JsonObject } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import type { AiInteractionEntity } from './interaction.entity';
import { toInteractionMessage } from './interaction.mapping';

/** Events on `nexus.ai-usage.interaction` carry the API's AiInteraction in proto3 JSON. */
export const interactionAggregate = defineAggregate<AiInteractionEntity>({
  service: 'ai-usage',
  name: 'interaction',
  toResource: (interaction) =>
    aiUsageV1.AiInteraction.toJSON(toInteractionMessage(interaction)) as JsonObject,
});
