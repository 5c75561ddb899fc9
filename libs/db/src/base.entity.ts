import {
  CreateDateColumn,
  DeleteDateColumn,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/**
 * Columns every aggregate root has. Times are kept to the millisecond
 * (timestamptz(3)) so a time read into JavaScript compares equal to the
 * stored one, which keyset page tokens rely on.
 */
export abstract class BaseEntity {
  /** UUIDv7, assigned by the repository on create. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  /** Incremented on every update; exposed to callers as the etag. */
  @VersionColumn({ type: 'integer' })
  version!: number;
}

/** An aggregate root that moves to the trash before it is erased. */
export abstract class SoftDeletableEntity extends BaseEntity {
  @DeleteDateColumn({ type: 'timestamptz', precision: 3, nullable: true })
  deletedAt!: Date | null;
}

export function etagOf(entity: BaseEntity): string {
  return `"${entity.version}"`;
}
