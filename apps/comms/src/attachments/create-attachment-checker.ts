import type { AttachmentChecker } from './attachment-checker';
import { FormatOnlyAttachmentChecker } from './attachment-checker';
import { ContentAttachmentChecker } from './content-attachment-checker';

/** The content service's check when configured, else format checks only (CONTENT_ATTACHMENT_CHECK=false). */
export function createAttachmentChecker(contentAddress: string | undefined): AttachmentChecker {
  return contentAddress
    ? new ContentAttachmentChecker(contentAddress)
    : new FormatOnlyAttachmentChecker();
}
