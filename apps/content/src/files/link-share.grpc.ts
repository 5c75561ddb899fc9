import type { ServerWritableStream } from '@grpc/grpc-js';
import { validate } from '@nexus/core';
import { PUBLIC, type RpcKit } from '@nexus/grpc';
import type { contentV1 } from '@nexus/proto';
import {
  createLinkShareSchema,
  fileIdOnlySchema,
  fileIdSchema,
  sharedFileSchema,
} from './file.validation';
import { toLinkShareMessage, toSharedFileMessage } from './link-share.mapping';
import type { LinkShareService } from './link-share.service';
import { send } from './stream-send';

type LinkHandlers = Pick<
  contentV1.FileServiceServer,
  'createLinkShare' | 'listLinkShares' | 'revokeLinkShare' | 'getSharedFile' | 'downloadSharedFile'
>;

/**
 * The link-share RPCs of nexus.content.v1.FileService. GetSharedFile and
 * DownloadSharedFile are public: the link's token is the credential (256
 * random bits, past guessing); a password on top is throttled per link.
 */
export function linkShareHandlers(rpc: RpcKit, links: LinkShareService): LinkHandlers {
  return {
    createLinkShare: rpc.unary(
      'CreateLinkShare',
      async (request: contentV1.CreateLinkShareRequest, ctx) => {
        const { fileId, expireTime, password, downloadLimit } = validate(
          createLinkShareSchema,
          request,
        );
        const { link, token } = await links.create(ctx.caller, fileId, {
          expiresAt: expireTime,
          password: password || undefined,
          downloadLimit: downloadLimit || undefined,
        });
        return { linkShare: toLinkShareMessage(link), token };
      },
    ),

    listLinkShares: rpc.unary(
      'ListLinkShares',
      async (request: contentV1.ListLinkSharesRequest, ctx) => {
        const { fileId } = validate(fileIdOnlySchema, request);
        return { linkShares: (await links.list(ctx.caller, fileId)).map(toLinkShareMessage) };
      },
    ),

    revokeLinkShare: rpc.unary(
      'RevokeLinkShare',
      async (request: contentV1.RevokeLinkShareRequest, ctx) => {
        const { id } = validate(fileIdSchema, request);
        await links.revoke(ctx.caller, id);
        return {};
      },
    ),

    getSharedFile: rpc.unary(
      'GetSharedFile',
      async (request: contentV1.GetSharedFileRequest) => {
        const { token, password } = validate(sharedFileSchema, request);
        const { file, link } = await links.open(token, password);
        return toSharedFileMessage(file, link);
      },
      PUBLIC,
    ),

    downloadSharedFile: rpc.serverStream(
      'DownloadSharedFile',
      async (
        call: ServerWritableStream<
          contentV1.DownloadSharedFileRequest,
          contentV1.DownloadSharedFileResponse
        >,
      ) => {
        const { token, password } = validate(sharedFileSchema, call.request);
        const { file, link, bytes } = await links.download(token, password);
        try {
          await send(call, { payload: { $case: 'file', value: toSharedFileMessage(file, link) } });
          for await (const chunk of bytes as AsyncIterable<Buffer>) {
            if (call.cancelled) break;
            await send(call, { payload: { $case: 'chunk', value: chunk } });
          }
        } finally {
          bytes.destroy();
        }
      },
      PUBLIC,
    ),
  };
}
