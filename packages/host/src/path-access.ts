import { access, constants } from 'node:fs/promises';

/** True when `path` exists (and, with `mode`, is accessible that way: `constants.X_OK`). */
export async function pathAccessible(path: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}
