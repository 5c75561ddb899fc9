// The gRPC edge of every service: server bootstrap with health and reflection,
// bearer-token auth, and the one mapping from domain errors to gRPC statuses.
export { CallContext } from './call-context';
export { startGrpcServer, type GrpcServer, type ServiceBinding } from './grpc-server';
export { PUBLIC, RpcKit, type RpcAccess, type RpcKitOptions } from './rpc-kit';
export { readStatusDetails, statusOfKind, toServiceError } from './status-mapping';
export { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier, bearerToken } from './token-verifier';
