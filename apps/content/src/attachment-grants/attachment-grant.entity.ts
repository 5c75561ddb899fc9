import { Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { FileEntity } from '../files/file.entity';

/**
 * One user's access to one file through one message (docs/content.md,
 * "Attachment access"). Immutable: made by GrantFileAccess, removed by
 * RevokeFileAccess, the room membership consumer, the user cascade, or with
 * its file. The unique key serves the read check (user, files) and makes a
 * repeated grant a no-op; the via index serves revocation.
 */
@Entity({ name: 'attachment_grants' })
@Unique('UQ_attachment_grants_user_file_via', [
  'userId',
  'fileId',
  'viaService',
  'viaType',
  'viaId',
])
@Index('IDX_attachment_grants_via', ['viaService', 'viaType', 'viaId'])
@Index('IDX_attachment_grants_file_id', ['fileId'])
export class AttachmentGrantEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  fileId!: string;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'file_id', foreignKeyConstraintName: 'FK_attachment_grants_file_id' })
  file?: FileEntity;

  @Column({ type: 'uuid' })
  userId!: string;

  /** The via: the service owning the message (`comms`)... */
  @Column({ type: 'text' })
  viaService!: string;

  /** ...its kind of resource (`email`, `chat-room`)... */
  @Column({ type: 'text' })
  viaType!: string;

  /** ...and the resource's id. */
  @Column({ type: 'uuid' })
  viaId!: string;

  @Column({ type: 'uuid' })
  grantedBy!: string;
}
