import { validate } from '@nexus/core';
import type { RpcKit } from '@nexus/grpc';
import type { commsV1 } from '@nexus/proto';
import { listPinnedSchema, messageIdSchema, reactionSchema } from '../rooms/chat.validation';
import { toChatMessage } from './chat-message.mapping';
import type { ChatPinService } from './chat-pins.service';
import type { ChatReactionService } from './chat-reactions.service';

type ReactionAndPinRpcs =
  'addReaction' | 'removeReaction' | 'pinMessage' | 'unpinMessage' | 'listPinnedMessages';

/** ChatService's reactions and pins: decode, validate, call the domain, encode. */
export function reactionAndPinHandlers(
  rpc: RpcKit,
  reactions: ChatReactionService,
  pins: ChatPinService,
): Pick<commsV1.ChatServiceServer, ReactionAndPinRpcs> {
  return {
    addReaction: rpc.unary('AddReaction', async (request: commsV1.AddReactionRequest, ctx) => {
      const { messageId, emoji } = validate(reactionSchema, request);
      return toChatMessage(await reactions.add(ctx.caller, messageId, emoji));
    }),

    removeReaction: rpc.unary(
      'RemoveReaction',
      async (request: commsV1.RemoveReactionRequest, ctx) => {
        const { messageId, emoji } = validate(reactionSchema, request);
        return toChatMessage(await reactions.remove(ctx.caller, messageId, emoji));
      },
    ),

    pinMessage: rpc.unary('PinMessage', async (request: commsV1.PinMessageRequest, ctx) => {
      const { id } = validate(messageIdSchema, request);
      return toChatMessage(await pins.pin(ctx.caller, id));
    }),

    unpinMessage: rpc.unary('UnpinMessage', async (request: commsV1.UnpinMessageRequest, ctx) => {
      const { id } = validate(messageIdSchema, request);
      return toChatMessage(await pins.unpin(ctx.caller, id));
    }),

    listPinnedMessages: rpc.unary(
      'ListPinnedMessages',
      async (request: commsV1.ListPinnedMessagesRequest, ctx) => {
        const { roomId, ...page } = validate(listPinnedSchema, request);
        const result = await pins.list(ctx.caller, roomId, page);
        return {
          messages: result.items.map(toChatMessage),
          nextPageToken: result.nextPageToken,
        };
      },
    ),
  };
}
