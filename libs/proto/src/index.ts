// Generated gRPC types and the descriptor set for server reflection, one
// namespace per proto package so equal message names never collide.
import path from 'node:path';

export * as commonV1 from './common-v1';
export * as googleRpc from './google-rpc';
export * as usersV1 from './gen/nexus/users/v1/users';
export * as aiUsageV1 from './gen/nexus/aiusage/v1/ai_usage';
export * as contentV1 from './gen/nexus/content/v1/content';
export * as commsV1 from './gen/nexus/comms/v1/comms';
export * as workV1 from './gen/nexus/work/v1/work';
export { FieldMask } from './gen/google/protobuf/field_mask';
export { Struct } from './gen/google/protobuf/struct';

/** Path of the FileDescriptorSet (every proto and its imports). */
export const descriptorSetPath = path.join(__dirname, 'gen', 'descriptor-set.binpb');
