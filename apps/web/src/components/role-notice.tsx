import { needsRole, type Role } from '../lib/roles';
import { Notice } from './notice';

/** In place of a form or page the caller's token may not use: which role it needs. */
export function RoleNotice({ need, what }: { need: Role; what: string }) {
  return <Notice>{needsRole(need, what)}. Sign in with a token that has it to use this.</Notice>;
}
