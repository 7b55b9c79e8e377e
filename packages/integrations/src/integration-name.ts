import type { IntegrationType, Store } from '@berth/core';
import { integrationTypes } from './integration-types.js';

/** A free name for a new integration of `type`: "Docker 1", "Docker 2"… counting those of its type. */
export function nextIntegrationName(store: Store, type: IntegrationType): string {
  const all = store.integrations.list();
  const taken = new Set(all.map((i) => i.name));
  const label = integrationTypes[type].label;
  let n = all.filter((i) => i.type === type).length + 1;
  while (taken.has(`${label} ${n}`)) n++;
  return `${label} ${n}`;
}
