import type { Clock } from './clock.js';
import { InvalidInput } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { PortLedger } from './port-ledger.js';
import type { Reconciler } from './reconciler.js';
import type { RuntimeResolver, Workspace } from './runtime-resolver.js';
import type { SecretBox } from './secret-box.js';
import type { Store, StoredTemplate } from './store.js';
import type { Template } from './template.js';
import { templateNotFound } from './template-service.js';

export interface ServiceDeps {
  store: Store;
  ledger: PortLedger;
  reconciler: Reconciler;
  runtimes: RuntimeResolver;
  workspace: Workspace;
  events: EventBus;
  clock: Clock;
  newId: () => string;
  /** Seals config values of fields marked `secret` before they are stored. */
  secrets?: SecretBox;
}

/** A stored template the request names; one that is gone is the caller's 404. */
export function getTemplate(d: Pick<ServiceDeps, 'store'>, name: string): Template {
  return getStoredTemplate(d, name).template;
}

/** The template with where it came from (a file template's relative paths start in its folder). */
export function getStoredTemplate(d: Pick<ServiceDeps, 'store'>, name: string): StoredTemplate {
  const t = d.store.templates.find(name);
  if (!t) throw templateNotFound(d.store, name);
  return t;
}

/** Pinned ports a request asks for: each must name a port of the template and be a port number. */
export function checkPins(template: Template, ports: Record<string, number>): void {
  for (const [name, port] of Object.entries(ports)) {
    if (!template.ports.some((p) => p.name === name)) {
      throw new InvalidInput(`template '${template.name}' has no port named '${name}'`, {
        details: { field: `ports.${name}` },
      });
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidInput(`ports.${name} must be a port number (1–65535), got ${port}`, {
        details: { field: `ports.${name}` },
      });
    }
  }
}
