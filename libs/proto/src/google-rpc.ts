// The google.rpc status and error details that every service attaches to errors.
export * from './gen/google/rpc/error_details';
export * from './gen/google/rpc/status';
export { Any } from './gen/google/protobuf/any';
