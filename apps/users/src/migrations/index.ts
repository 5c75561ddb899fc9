import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateUsers1795678015155 } from './1795678015155-create-users';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { MoveSignInState1796279629432 } from './1796279629432-move-sign-in-state';
import { CreateSessions1796301131761 } from './1796301131761-create-sessions';
import { SignInThrottlesAndPasswordResets1796302000000 } from './1796302000000-sign-in-throttles-and-password-resets';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';

/** Every migration of the users schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateUsers1795678015155,
  KitRequestIds1796279400000,
  MoveSignInState1796279629432,
  CreateSessions1796301131761,
  SignInThrottlesAndPasswordResets1796302000000,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
];
