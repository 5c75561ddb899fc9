// The nexus.common.v1 package, whose messages span several proto files.
export * from './gen/nexus/common/v1/auth';
export * from './gen/nexus/common/v1/money';
export * from './gen/nexus/common/v1/role';
export * from './gen/nexus/common/v1/mention';
