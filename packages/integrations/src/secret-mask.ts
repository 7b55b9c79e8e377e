import { SECRET_MASK } from '@berth/contracts';

export { SECRET_MASK };

/** True when a value sent back by a client means "keep the stored secret". */
export function isUnchangedSecret(value: unknown): boolean {
  return value === undefined || value === SECRET_MASK;
}
