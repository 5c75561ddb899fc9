import type { ServiceError, status } from '@grpc/grpc-js';
import { readStatusDetails } from '@nexus/grpc';

export interface ObservedError {
  code: status;
  details: string;
  reason: string | undefined;
  /** Field paths of the google.rpc.BadRequest violations. */
  fields: string[];
}

/** The error a call failed with, as a client sees it; fails the test if the call succeeded. */
export async function grpcError(call: Promise<unknown>): Promise<ObservedError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const serviceError = error as ServiceError;
    if (typeof serviceError.code !== 'number') throw error;
    const { errorInfo, badRequest } = readStatusDetails(serviceError);
    return {
      code: serviceError.code,
      details: serviceError.details,
      reason: errorInfo?.reason,
      fields: badRequest?.fieldViolations.map((violation) => violation.field) ?? [],
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(result)}`);
}
