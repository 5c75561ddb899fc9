import type { Principal } from '@nexus/core';
import { ContentError } from './content.errors';

/** The ContentError code `check` throws, or undefined when it passes (for unit tests of rules). */
export function codeOf(check: () => void): string | undefined {
  try {
    check();
  } catch (error) {
    if (error instanceof ContentError) return error.code;
    throw error;
  }
  return undefined;
}

export const principal = (role: Principal['role'], userId = 'someone'): Principal => ({
  role,
  userId,
  token: '',
});
