import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const SHARE_ROLES = ['viewer', 'commenter', 'editor'] as const;
export type ShareRole = (typeof SHARE_ROLES)[number];

/**
 * The columns every share of content has (documents, files, folders): the
 * user, the role and who granted it. Each share entity adds its resource's
 * id (the other half of the primary key) and the foreign key to it.
 */
export abstract class ShareColumns {
  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'enum', enum: SHARE_ROLES, enumName: 'share_role' })
  role!: ShareRole;

  /** Null when the system changed it. */
  @Column({ type: 'uuid', nullable: true })
  grantedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
