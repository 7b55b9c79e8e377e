import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenService } from './token-service.js';

export interface AdminTokenResult {
  /** The secret, only when it was created by this start (never read back from the store). */
  secret: string | undefined;
  /** Whether the secret came from BERTH_ADMIN_TOKEN. */
  fromEnv: boolean;
  file: string;
}

export function adminTokenFile(home: string): string {
  return join(home, 'admin.token');
}

/**
 * On first start (no tokens at all): creates the admin token (BERTH_ADMIN_TOKEN if given),
 * stores its hash and writes the secret to `<home>/admin.token` (0600) for the local CLI.
 */
export async function ensureAdminToken(
  tokens: TokenService,
  home: string,
  fromEnv: string | undefined,
): Promise<AdminTokenResult> {
  const file = adminTokenFile(home);
  if (!tokens.isEmpty()) return { secret: undefined, fromEnv: false, file };
  const created = tokens.create('admin', 'admin', fromEnv);
  await writeFile(file, `${created.secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { secret: created.secret, fromEnv: fromEnv !== undefined, file };
}

/** The one-time announcement on stdout. */
export function announceAdminToken(result: AdminTokenResult, write = (s: string) => process.stdout.write(s)) {
  if (!result.secret) return;
  const lines = result.fromEnv
    ? ['berth: admin token taken from BERTH_ADMIN_TOKEN', `       saved for the local CLI in ${result.file}`]
    : [
        'berth: created the admin token — it is shown only this once:',
        '',
        `    ${result.secret}`,
        '',
        `       saved for the local CLI in ${result.file} (mode 0600)`,
        '       use it as: Authorization: Bearer <token>',
      ];
  write(`${lines.join('\n')}\n`);
}
