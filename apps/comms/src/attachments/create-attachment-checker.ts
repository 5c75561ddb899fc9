import type { PeerEndpoint } from '@nexus/config';
import type { AttachmentChecker } from './attachment-checker';
import { FormatOnlyAttachmentChecker } from './attachment-checker';
import { ContentAttachmentChecker } from './content-attachment-checker';

/** The content service's check when configured, else format checks only (CONTENT_ATTACHMENT_CHECK=false). */
export function createAttachmentChecker(content: PeerEndpoint | undefined): AttachmentChecker {
  return content ? new ContentAttachmentChecker(content) : new FormatOnlyAttachmentChecker();
}
