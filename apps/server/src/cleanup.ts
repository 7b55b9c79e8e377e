import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { CleanupItemView, CleanupResultView } from '@berth/contracts';
import { type Orphan, userMessage } from '@berth/core';
import type { Berth } from './berth.js';
import { toOrphanView } from './orphan-view.js';

type Found = { view: CleanupItemView; remove: () => Promise<void> };

/** Whether `a` is `b`, inside it, or holds it. */
function overlaps(a: string, b: string): boolean {
  const within = (x: string, y: string) => {
    const r = relative(y, x);
    return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep));
  };
  return within(a, b) || within(b, a);
}

async function subdirs(dir: string): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  return entries.filter((e) => e.isDirectory()); // never a symlink
}

/**
 * What `berth cleanup` would remove, each with how: orphaned workloads (this installation's owner
 * marker, no instance — running or stopped), folders under BERTH_HOME of no instance
 * (`instances/<template>/<instance>`, `logs/<id>`), and port leases of no instance. Never a folder
 * outside BERTH_HOME or one that is, holds or lies inside an instance's data or log directory.
 */
export async function findCleanup(berth: Berth): Promise<Found[]> {
  const { store, reconciler, workspace, ledger } = berth;
  const home = resolve(berth.config.home);
  const found: Found[] = [];

  for (const o of await reconciler.findOrphans()) found.push(orphanItem(berth, o));

  const instances = store.instances.list();
  const kept = instances.flatMap((i) => [resolve(i.dataDir), resolve(workspace.logDir(i.id))]);
  const unused = (path: string) => !kept.some((k) => overlaps(path, k));
  const dir = (kind: 'data-dir' | 'log-dir', path: string): Found => ({
    view: {
      key: `${kind}:${path}`,
      kind,
      description: `${kind === 'data-dir' ? 'data' : 'log'} directory of no instance: ${path}`,
      instanceId: null,
      instanceName: null,
      orphan: null,
      path,
      lease: null,
    },
    remove: () => workspace.remove(path),
  });
  const instancesDir = join(home, 'instances');
  for (const t of await subdirs(instancesDir))
    for (const i of await subdirs(join(instancesDir, t.name))) {
      const path = join(instancesDir, t.name, i.name);
      if (unused(path)) found.push(dir('data-dir', path));
    }
  for (const l of await subdirs(join(home, 'logs'))) {
    const path = join(home, 'logs', l.name);
    if (unused(path)) found.push(dir('log-dir', path));
  }

  for (const l of store.leases.listAll()) {
    if (l.ownerKind !== 'instance' || store.instances.find(l.ownerId)) continue;
    found.push({
      view: {
        key: `lease:${l.host}/${l.protocol}/${l.port}`,
        kind: 'lease',
        description: `port ${l.protocol}/${l.port} on ${l.host} leased to ${l.ownerName} (${l.ownerId}), which no longer exists`,
        instanceId: l.ownerId,
        instanceName: l.ownerName,
        orphan: null,
        path: null,
        lease: { host: l.host, protocol: l.protocol, port: l.port },
      },
      remove: async () => ledger.dropStale(l.host, l.port, l.protocol),
    });
  }
  return found;
}

function orphanItem(berth: Berth, o: Orphan): Found {
  const view = toOrphanView(o);
  const what =
    o.kind === 'data' ? 'data kept' : `${o.running ? 'running' : 'stopped'} workload ${view.name ?? view.id}`;
  const of = o.instanceName ? `removed instance ${o.instanceName}` : 'no instance';
  return {
    view: {
      key: `workload:${o.node}/${o.runtime}/${o.kind}/${view.id}`,
      kind: 'workload',
      description: `${what} on ${o.node} (${o.runtime}) of ${of}`,
      instanceId: o.instanceId,
      instanceName: o.instanceName,
      orphan: view,
      path: null,
      lease: null,
    },
    remove: () => berth.reconciler.removeOrphan(o),
  };
}

/**
 * Removes exactly the items named (keys of a dry run), each only if it is still to remove now;
 * says which were not (changed) and what is to remove now that was not asked for (left alone).
 */
export async function runCleanup(berth: Berth, keys: string[]): Promise<CleanupResultView> {
  const asked = new Set(keys);
  const now = await findCleanup(berth);
  const result: CleanupResultView = { removed: [], failed: [], changed: [], notAsked: [] };
  const present = new Set(now.map((f) => f.view.key));
  result.changed = [...asked].filter((k) => !present.has(k));
  for (const f of now) {
    if (!asked.has(f.view.key)) {
      result.notAsked.push(f.view);
      continue;
    }
    try {
      await f.remove();
      result.removed.push(f.view);
    } catch (err) {
      result.failed.push({ ...f.view, error: userMessage(err) });
    }
  }
  return result;
}
