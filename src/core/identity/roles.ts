/** Roles in increasing order of rights (docs/contract.md "Routes and roles"). */
export const ROLES = ['viewer', 'premium', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'token:issue',
  'market:read',
  'options:read',
  'history:read',
  'trading:read',
  'trading:write',
  'audit:read',
  'trading:halt',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * viewer: stocks and clock; premium adds options and history; trader adds trading; admin
 * everything including audit, except placing or cancelling orders: the trading issue says
 * "role trader (admin may read)", so whoever reads the audit trail does not also trade. Halting
 * and resuming trading for the fleet (`trading:halt`) is the admin's alone.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['token:issue', 'market:read'],
  premium: ['token:issue', 'market:read', 'options:read', 'history:read'],
  trader: ['token:issue', 'market:read', 'options:read', 'history:read', 'trading:read', 'trading:write'],
  admin: ['token:issue', 'market:read', 'options:read', 'history:read', 'trading:read', 'audit:read', 'trading:halt'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function grants(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}

export function rolesGranting(permission: Permission): Role[] {
  return ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission));
}

/** Rate tier: premium, trader and admin share the premium tier. */
export function isPremiumTier(roles: readonly Role[]): boolean {
  return roles.some((r) => r !== 'viewer');
}
