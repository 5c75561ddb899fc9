// The gRPC edge of every service: server bootstrap with health and reflection,
// bearer-token auth, the one mapping from domain errors to gRPC statuses, and
// the pieces every request schema is made of (ids, etags, request ids, pages, masks).
export { CallContext } from './call-context';
export { startGrpcServer, type GrpcServer, type ServiceBinding } from './grpc-server';
export { PUBLIC, RpcKit, type RpcAccess, type RpcKitOptions } from './rpc-kit';
export {
  readStatusDetails,
  statusOfKind,
  toServiceError,
  type ErrorClassifier,
} from './status-mapping';
export {
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
  bearerToken,
  keyId,
  splitPublicKeys,
} from './token-verifier';
export { TokenRevocations } from './token-revocations';
export { checkUpdateMask } from './field-mask';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  etag,
  idSchema,
  optionalUuid,
  pageSizeSchema,
  searchQuerySchema,
  pageTokenSchema,
  requestId,
  required,
  uuid,
  watchCursor,
} from './request-fields';
export { searchResponse } from './search-response';
