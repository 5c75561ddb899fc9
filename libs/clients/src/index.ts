// Typed gRPC clients for every platform service, for other platform code.
export { readNotFoundId } from './not-found';
export {
  channelCredentials,
  createPromiseClient,
  type CallOptions,
  type ClientOptions,
  type PromiseClient,
} from './promise-client';
export {
  createPeerClient,
  peerDeadline,
  peerFailed,
  peerFailure,
  type PeerOptions,
} from './peer-client';
export { UserDirectory, type DirectoryEntry, type NamedUser } from './user-directory';
export { lookUpUsers, type UserLookup } from './user-lookup';
export { createUsersClient, type UsersClient } from './users-client';
export { AttachmentAccess, type AttachmentVia } from './attachment-access';
export {
  createContentClient,
  type AttachmentAccessClient,
  type ContentClient,
  type DocumentsClient,
  type FilesClient,
} from './content-client';
export { createWorkClients, type WorkProjectsClient, type WorkTasksClient } from './work-client';
export {
  createAiUsageClients,
  type AiUsageClient,
  type BudgetClient,
  type ModelPriceClient,
} from './ai-usage-client';
export {
  createCommsClient,
  type ChatClient,
  type CommsClient,
  type EmailClient,
} from './comms-client';
