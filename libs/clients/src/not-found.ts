import type { ServiceError } from '@grpc/grpc-js';
import { googleRpc } from '@nexus/proto';

/**
 * The id a NOT_FOUND names in its ErrorInfo metadata (KitError.notFound puts
 * it there); null if it names none or its details do not decode.
 */
export function readNotFoundId(error: Pick<ServiceError, 'metadata'>): string | null {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!raw || typeof raw === 'string') return null;
  try {
    for (const detail of googleRpc.Status.decode(raw).details) {
      if (detail.typeUrl.endsWith('.ErrorInfo')) {
        return googleRpc.ErrorInfo.decode(detail.value).metadata.id || null;
      }
    }
  } catch {
    return null;
  }
  return null;
}
