import { AsyncLocalStorage } from 'node:async_hooks';
import type { Instance } from '@berth/core';

/** The fields every log line about an instance carries, so a collector can index them. */
export interface InstanceLabelFields {
  instance: string;
  template: string;
  node: string;
}

/**
 * The request being answered, for every line logged on its behalf, the core's included (which knows
 * nothing of HTTP): the API server runs each request inside it and sets the id once Fastify gives
 * one. Work a request starts and that goes on after it (a deploy it queued) keeps its id.
 */
export const requestScope = new AsyncLocalStorage<{ requestId?: string }>();

type Find = (nameOrId: string) => Pick<Instance, 'name' | 'template' | 'node'> | undefined;

/**
 * Completes log lines: the request's id (see requestScope), and for lines about an instance its
 * labels. Code logs `{ instance }` (a name, or sometimes an id)
 * where it knows one; this turns it into the instance's name and adds its template and node, so
 * every such line is labelled alike whichever part wrote it. The logger exists before the store,
 * so the lookup is attached once the store is open; a line it cannot resolve (the instance was
 * just removed, the store cannot be read) is written as it came.
 */
export class LogLabels {
  private find: Find | undefined;

  attach(find: Find): void {
    this.find = find;
  }

  /**
   * pino's mixin: `fields` are the line's own, `bound` its logger's child bindings. A field bound
   * on the child is already in the line, so only what is missing is added (never a second key).
   */
  fieldsFor(fields: Record<string, unknown>, bound: Record<string, unknown>): Record<string, string> {
    const requestId = requestScope.getStore()?.requestId;
    const out: Record<string, string> = this.instanceFields(fields, bound);
    if (requestId && !('requestId' in bound) && !('requestId' in fields)) out.requestId = requestId;
    return out;
  }

  private instanceFields(
    fields: Record<string, unknown>,
    bound: Record<string, unknown>,
  ): Record<string, string> {
    const key = typeof fields.instance === 'string' ? fields.instance : bound.instance;
    if (!this.find || typeof key !== 'string') return {};
    let found: ReturnType<Find>;
    try {
      found = this.find(key);
    } catch {
      return {};
    }
    if (!found) return {};
    const all: InstanceLabelFields = { instance: found.name, template: found.template, node: found.node };
    const out: Record<string, string> = {};
    for (const k of ['instance', 'template', 'node'] as const) if (!(k in bound)) out[k] = all[k];
    return out;
  }
}

/** Looks an instance up by name first (what most lines carry), then by id. */
export function findInStore(instances: {
  findByName(name: string): Instance | undefined;
  find(id: string): Instance | undefined;
}): Find {
  return (key) => instances.findByName(key) ?? instances.find(key);
}
