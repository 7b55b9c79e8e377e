import type { TokenRoleName } from '@berth/contracts';

/** A token's role, as the server decides it: each one may do what the one before it may, and more. */
export type Role = TokenRoleName;

export const ROLES: readonly Role[] = ['metrics', 'read', 'operate', 'admin'];

/** What each role may do, in the words the UI and the CLI show next to it. */
export const ROLE_SUMMARY: Record<Role, string> = {
  metrics: 'only be scraped: GET /metrics for Prometheus, nothing else',
  read: 'see instances, templates, ports, logs, events and stats',
  operate: 'read, and start, stop, restart and kill instances',
  admin: 'everything: templates, creating and removing instances, nodes, integrations, builds and tokens',
};

/** True when `have` may do what needs `need`; an unknown role may do nothing. */
export function allows(have: string | undefined, need: Role): boolean {
  const rank = ROLES.indexOf(have as Role);
  return rank >= 0 && rank >= ROLES.indexOf(need);
}

/** The title of a control the caller's role cannot use. */
export function needsRole(need: Role, what: string): string {
  return `${what} needs the ${need} role`;
}
