import { randomUUID } from 'node:crypto';
import type { SettingsRepository } from '@berth/core';

const KEY = 'owner_id';

/** The installation's id, generated once and kept in settings; it marks every workload berth starts. */
export function ownerId(settings: SettingsRepository): string {
  const existing = settings.get(KEY);
  if (existing) return existing;
  const id = randomUUID();
  settings.set(KEY, id);
  return id;
}
