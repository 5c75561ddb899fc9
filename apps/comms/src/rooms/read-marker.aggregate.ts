import { defineAggregate, type JsonObject } from '@nexus/db';
import { commsV1 } from '@nexus/proto';

/** A member's read marker in a room (MarkRoomRead); `id` is the room's, the events' key. */
export interface ReadMarkerRecord {
  id: string;
  userId: string;
  readTime: Date;
}

/**
 * Events on `nexus.comms.read-marker`: `updated` when a member reads a room.
 * Keyed by the room, so they follow its messages in order; WatchRoom shows
 * them as read receipts, WatchMyRooms clears the reader's counts.
 */
export const readMarkerAggregate = defineAggregate<ReadMarkerRecord>({
  service: 'comms',
  name: 'read-marker',
  toResource: (marker) =>
    commsV1.ReadMarker.toJSON({
      roomId: marker.id,
      userId: marker.userId,
      readTime: marker.readTime,
    }) as JsonObject,
});
