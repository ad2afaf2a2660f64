import {
  grants,
  isPremiumTier,
  PERMISSIONS,
  rolesGranting,
  ROLE_PERMISSIONS,
  ROLES,
  type Permission,
  type Role,
} from './roles.js';

/** docs/contract.md: viewer stocks + clock; premium adds options and history; trader adds trading; admin all, incl. audit. */
const EXPECTED: Record<Role, Permission[]> = {
  viewer: ['token:issue', 'market:read'],
  premium: ['token:issue', 'market:read', 'options:read', 'history:read'],
  trader: ['token:issue', 'market:read', 'options:read', 'history:read', 'trading:read', 'trading:write'],
  // The trading issue: "role trader (admin may read)".
  admin: ['token:issue', 'market:read', 'options:read', 'history:read', 'trading:read', 'audit:read', 'trading:halt'],
};

describe('role permissions', () => {
  it.each(ROLES.flatMap((role) => PERMISSIONS.map((p) => [role, p] as const)))('%s → %s', (role, permission) => {
    expect(grants([role], permission)).toBe(EXPECTED[role].includes(permission));
  });

  it('is ordered: each role has every right of the one below it (admin and trader side by side)', () => {
    for (let i = 1; i < ROLES.length - 1; i += 1) {
      const lower = ROLE_PERMISSIONS[ROLES[i - 1]];
      const higher = ROLE_PERMISSIONS[ROLES[i]];
      expect(lower.every((p) => higher.includes(p))).toBe(true);
    }
  });

  it('premium cannot trade, only admin reads audit', () => {
    expect(grants(['premium'], 'trading:write')).toBe(false);
    expect(rolesGranting('audit:read')).toEqual(['admin']);
    expect(rolesGranting('trading:halt')).toEqual(['admin']);
    expect(rolesGranting('trading:write')).toEqual(['trader']);
    expect(rolesGranting('trading:read')).toEqual(['trader', 'admin']);
  });

  it('puts premium, trader and admin on the premium rate tier', () => {
    expect(isPremiumTier(['viewer'])).toBe(false);
    expect(isPremiumTier(['premium'])).toBe(true);
    expect(isPremiumTier(['trader'])).toBe(true);
    expect(isPremiumTier(['admin'])).toBe(true);
  });
});
