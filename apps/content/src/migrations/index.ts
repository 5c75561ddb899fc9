import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateContent1795680664777 } from './1795680664777-create-content';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { SearchContent1796314115122 } from './1796314115122-search-content';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';
import { FileSharingFoldersTrash1796327426697 } from './1796327426697-file-sharing-folders-trash';
import { AttachmentGrants1796330000000 } from './1796330000000-attachment-grants';
import { CompactDocumentVersions1796331000000 } from './1796331000000-compact-document-versions';
import { DocumentComments1796331100000 } from './1796331100000-document-comments';
import { LinkPasswordThrottles1796340000000 } from './1796340000000-link-password-throttles';

/** Every migration of the content schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateContent1795680664777,
  KitRequestIds1796279400000,
  SearchContent1796314115122,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
  FileSharingFoldersTrash1796327426697,
  AttachmentGrants1796330000000,
  CompactDocumentVersions1796331000000,
  DocumentComments1796331100000,
  LinkPasswordThrottles1796340000000,
];
