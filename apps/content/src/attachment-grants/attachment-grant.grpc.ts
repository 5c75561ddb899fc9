import { validate } from '@nexus/core';
import type { RpcKit } from '@nexus/grpc';
import type { contentV1 } from '@nexus/proto';
import { toAttachmentGrantMessage } from './attachment-grant.mapping';
import type { AttachmentGrantService } from './attachment-grant.service';
import { grantFileAccessSchema, revokeFileAccessSchema } from './attachment-grant.validation';

/** nexus.content.v1.AttachmentAccessService: decode, validate, call the domain, encode. */
export function attachmentAccessHandlers(
  rpc: RpcKit,
  grants: AttachmentGrantService,
): contentV1.AttachmentAccessServiceServer {
  return {
    grantFileAccess: rpc.unary(
      'GrantFileAccess',
      async (request: contentV1.GrantFileAccessRequest, ctx) => {
        const created = await grants.grant(ctx.caller, validate(grantFileAccessSchema, request));
        return { created: created.map(toAttachmentGrantMessage) };
      },
    ),

    revokeFileAccess: rpc.unary(
      'RevokeFileAccess',
      async (request: contentV1.RevokeFileAccessRequest, ctx) => {
        const revoked = await grants.revoke(ctx.caller, validate(revokeFileAccessSchema, request));
        return { revoked: revoked.map(toAttachmentGrantMessage) };
      },
    ),
  };
}
