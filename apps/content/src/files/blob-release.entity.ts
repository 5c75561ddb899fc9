import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A blob that may have lost its last file, recorded in the transaction that
 * deleted the file. The releaser removes the blob after commit once no file
 * references it; a crash in between leaves the row for the next run.
 */
@Entity({ name: 'blob_releases' })
export class BlobReleaseEntity {
  @PrimaryColumn({ type: 'char', length: 64 })
  sha256!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
