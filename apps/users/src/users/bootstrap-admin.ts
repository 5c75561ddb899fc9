import type { DataSource } from 'typeorm';
import type { Logger } from '@nexus/ops';
import { UserEntity } from './user.entity';
import type { UserService } from './user.service';

/**
 * Creates the first admin from NEXUS_ADMIN_EMAIL / NEXUS_ADMIN_PASSWORD when
 * no user has that email. Replicas racing here are harmless: the unique
 * email index lets one win, and the loser's EMAIL_TAKEN is ignored.
 */
export async function bootstrapAdmin(
  dataSource: DataSource,
  users: UserService,
  admin: { email: string; password: string },
  logger: Logger,
): Promise<void> {
  const email = admin.email.toLowerCase();
  if (await dataSource.manager.existsBy(UserEntity, { email })) return;
  try {
    const username =
      email
        .split('@')[0]
        ?.replace(/[^a-z0-9._-]/g, '')
        .slice(0, 32)
        .padEnd(3, '0') ?? 'admin';
    await users.create(
      'system',
      { email, username, fullName: 'Administrator', role: 'admin', preferences: {} },
      admin.password,
    );
    logger.info({ email }, 'created the first admin');
  } catch (error) {
    if ((error as { code?: string }).code !== 'EMAIL_TAKEN') throw error;
  }
}
