/** Platform roles, most powerful first. */
export const ROLES = ['admin', 'manager', 'user', 'guest'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller of an RPC, taken from a verified access token. */
export interface Principal {
  userId: string;
  role: Role;
  /** The raw bearer token, passed on to calls made on the caller's behalf. */
  token: string;
  /** The users-service session the token was issued for (`sid`), if it names one. */
  sessionId?: string;
}

export function isAdmin(principal: Principal | null | undefined): boolean {
  return principal?.role === 'admin';
}

/** Anyone signed in but a guest may write. */
export function canWrite(principal: Principal): boolean {
  return principal.role !== 'guest';
}
