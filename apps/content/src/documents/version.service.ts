import type { DataSource } from 'typeorm';
import type { Principal } from '@nexus/core';
import { inTransaction, type Page } from '@nexus/db';
import { accessOf, checkEdit } from './document-access';
import { documentVersionAggregate, versionEventSubject } from './document-version.aggregate';
import { shareRoleOf, type DocumentService } from './document.service';
import type { DocumentVersion, VersionHistory } from './version-history';

/** Versions' rules: every reader of the document reads them; editors and above mark them keep-forever. */
export class VersionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly documents: DocumentService,
    private readonly history: VersionHistory,
  ) {}

  async list(
    caller: Principal,
    documentId: string,
    pageSize: number,
    pageToken: string,
  ): Promise<Page<DocumentVersion>> {
    await this.documents.get(caller, documentId);
    return this.history.list(documentId, pageSize, pageToken);
  }

  async get(caller: Principal, documentId: string, number: number): Promise<DocumentVersion> {
    await this.documents.get(caller, documentId);
    return this.history.get(documentId, number);
  }

  /** One `updated` event of the version when its mark changes; none when it already was so. */
  async setKeepForever(
    caller: Principal,
    documentId: string,
    number: number,
    keepForever: boolean,
  ): Promise<DocumentVersion> {
    const document = await this.documents.get(caller, documentId);
    checkEdit(caller, accessOf(caller, document, shareRoleOf(document, caller)));
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { version, before } = await this.history.setKeepForever(
        tx,
        documentId,
        number,
        keepForever,
      );
      if (before) {
        await tx.emit(
          documentVersionAggregate,
          'updated',
          versionEventSubject(before),
          versionEventSubject(version),
        );
      }
      return version;
    });
  }
}
