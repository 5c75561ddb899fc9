import { PUBLIC, type RpcKit, checkUpdateMask } from '@nexus/grpc';
import { usersV1 } from '@nexus/proto';
import { validate } from '@nexus/core';
import { attemptSourceOf } from '../credentials/credentials.grpc';
import type { CredentialsService } from '../credentials/credentials.service';
import type { TokenSigner } from '../credentials/token-signer';
import { toAuthenticateResponse, type SessionRpcs } from '../sessions/session.grpc';
import { clientLabel } from '../sessions/session-lifetime';
import { ADMIN_UPDATABLE } from './user-access';
import { toUserMessage, toUserViewMessage } from './user.mapping';
import type { UserOrder, UserService } from './user.service';
import {
  authenticateSchema,
  batchGetSchema,
  changePasswordSchema,
  createUserSchema,
  deleteUserSchema,
  idSchema,
  listUsersSchema,
  updateUserSchema,
  verifyEmailSchema,
} from './user.validation';

const ORDER_OF_PROTO: Record<usersV1.UserOrderBy, UserOrder> = {
  [usersV1.UserOrderBy.USER_ORDER_BY_UNSPECIFIED]: 'create_time_desc',
  [usersV1.UserOrderBy.USER_ORDER_BY_CREATE_TIME_DESC]: 'create_time_desc',
  [usersV1.UserOrderBy.USER_ORDER_BY_CREATE_TIME_ASC]: 'create_time_asc',
  [usersV1.UserOrderBy.USER_ORDER_BY_USERNAME_ASC]: 'username_asc',
  [usersV1.UserOrderBy.UNRECOGNIZED]: 'create_time_desc',
};

/**
 * nexus.users.v1.UserService but its session RPCs (sessions/session.grpc.ts):
 * decode, validate, call the domain, encode.
 */
export function userServiceHandlers(
  rpc: RpcKit,
  users: UserService,
  credentials: CredentialsService,
  signer: TokenSigner,
): Omit<usersV1.UserServiceServer, keyof SessionRpcs> {
  return {
    createUser: rpc.unary(
      'CreateUser',
      async (request: usersV1.CreateUserRequest, ctx) => {
        const { user, password, requestId } = validate(createUserSchema, request);
        // The password stays out of the key's digest: it is kept only as its argon2id hash.
        const key = ctx.idempotencyKey(requestId, { user: request.user });
        return toUserMessage(await users.create(ctx.principal, user, password, key));
      },
      PUBLIC,
    ),

    getUser: rpc.unary('GetUser', async (request: usersV1.GetUserRequest, ctx) => {
      const { id } = validate(idSchema, request);
      return toUserViewMessage(await users.get(ctx.caller, id));
    }),

    batchGetUsers: rpc.unary(
      'BatchGetUsers',
      async (request: usersV1.BatchGetUsersRequest, ctx) => {
        const { ids } = validate(batchGetSchema, request);
        return {
          users: (await users.batchGet(ctx.caller, ids)).map(toUserViewMessage),
        };
      },
    ),

    listUsers: rpc.unary('ListUsers', async (request: usersV1.ListUsersRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listUsersSchema, request);
      const page = await users.list(caller, {
        filters: {
          role: query.role,
          isActive: query.isActive,
          emailVerified: query.emailVerified,
          namePrefix: query.namePrefix,
          emailPrefix: query.emailPrefix,
        },
        order: ORDER_OF_PROTO[query.orderBy],
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
      });
      return {
        users: page.items.map(toUserViewMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    updateUser: rpc.unary('UpdateUser', async (request: usersV1.UpdateUserRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, ADMIN_UPDATABLE);
      const { user } = validate(updateUserSchema(paths), request);
      return toUserViewMessage(await users.update(caller, user.id, user.etag, paths, user));
    }),

    deleteUser: rpc.unary('DeleteUser', async (request: usersV1.DeleteUserRequest, ctx) => {
      const { id, etag, hard } = validate(deleteUserSchema, request);
      const user = await users.delete(ctx.caller, id, etag, hard);
      return { user: user ? toUserViewMessage(user) : undefined };
    }),

    undeleteUser: rpc.unary('UndeleteUser', async (request: usersV1.UndeleteUserRequest, ctx) => {
      const { id } = validate(idSchema, request);
      return toUserViewMessage(await users.undelete(ctx.caller, id));
    }),

    changePassword: rpc.unary(
      'ChangePassword',
      async (request: usersV1.ChangePasswordRequest, ctx) => {
        const { id, oldPassword, newPassword } = validate(changePasswordSchema, request);
        await credentials.changePassword(ctx.caller, id, oldPassword, newPassword);
        return {};
      },
    ),

    requestEmailVerification: rpc.unary(
      'RequestEmailVerification',
      async (request: usersV1.RequestEmailVerificationRequest, ctx) => {
        const { id } = validate(idSchema, request);
        const issued = await credentials.requestEmailVerification(ctx.caller, id);
        return { token: issued.token, expireTime: issued.expiresAt };
      },
    ),

    verifyEmail: rpc.unary(
      'VerifyEmail',
      async (request: usersV1.VerifyEmailRequest) => {
        const { token } = validate(verifyEmailSchema, request);
        const { user, signIn } = await credentials.verifyEmail(token);
        return toUserMessage(user, signIn);
      },
      PUBLIC,
    ),

    authenticate: rpc.unary(
      'Authenticate',
      async (request: usersV1.AuthenticateRequest, ctx) => {
        const { login, password, client } = validate(authenticateSchema, request);
        const userAgent = ctx.metadata.get('user-agent')[0];
        return toAuthenticateResponse(
          await credentials.authenticate(
            login,
            password,
            clientLabel(client, typeof userAgent === 'string' ? userAgent : undefined),
            attemptSourceOf(ctx),
          ),
        );
      },
      PUBLIC,
    ),

    getJwks: rpc.unary('GetJwks', async () => ({ keys: signer.jwks }), PUBLIC),
  };
}
