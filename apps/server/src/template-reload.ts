import { type FSWatcher, watch } from 'node:fs';
import type { EventBus, InstanceService, TemplateService } from '@berth/core';
import { userMessage } from '@berth/core';
import { readComposeFolder } from '@berth/runtime-docker';
import type { BerthLogger } from './logger.js';
import { readTemplateFolder, type TemplateProblem } from './template-folder.js';

export interface ReloadResult {
  folder: string;
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  kept: string[];
  /** Files skipped, each with the reason (too large, not a regular file, a bad compose file). */
  problems: { path: string; message: string }[];
}

export interface ReloadOptions {
  /** A bad file is one more problem (its template's last good version stays), not a refusal. */
  keepGoing?: boolean;
  /** Each template added, updated or removed is told as a `template.changed` event. */
  announce?: boolean;
}

export interface TemplateReloadDeps {
  templatesDir: string;
  composeDir: string;
  templates: TemplateService;
  instances: InstanceService;
  events: EventBus;
  log: BerthLogger;
}

/**
 * Loads the templates and compose folders into the store. `berth templates reload` refuses the
 * whole load on a bad file (a 400 naming file, field and reason); start-up and the folder watch
 * keep going:
 * a bad file is one more problem and its template's last good version stays. Each problem is
 * logged, and told once as a `template.invalid` event (again only when it changes).
 */
export function templateReloader(d: TemplateReloadDeps) {
  const told = new Map<string, string>();

  function tell(problems: TemplateProblem[]): void {
    const now = new Set(problems.map((p) => p.path));
    for (const path of told.keys()) if (!now.has(path)) told.delete(path);
    for (const p of problems) {
      d.log.warn({ ns: 'templates', file: p.path, field: p.field ?? null }, p.message);
      if (told.get(p.path) === p.message) continue;
      told.set(p.path, p.message);
      d.events.emit({
        type: 'template.invalid',
        instanceId: null,
        instanceName: null,
        message: `${p.message}; it was not loaded (a template it held before keeps its last good version)`,
        data: { file: p.path, field: p.field ?? null, reason: p.message },
      });
    }
  }

  function announce(r: { added: string[]; updated: string[]; removed: string[] }): void {
    const said = { added: 'added', updated: 'updated', removed: 'removed' } as const;
    for (const key of ['added', 'updated', 'removed'] as const) {
      for (const name of r[key]) {
        d.events.emit({
          type: 'template.changed',
          instanceId: null,
          instanceName: null,
          message: `template ${name} ${said[key]} from the templates folder`,
          data: { name, change: key },
        });
      }
    }
  }

  return async function reloadTemplates(opts: ReloadOptions = {}): Promise<ReloadResult> {
    const folder = await readTemplateFolder(d.templatesDir, { keepGoing: opts.keepGoing ?? false });
    const compose = await readComposeFolder(d.composeDir);
    const problems: TemplateProblem[] = [...folder.problems, ...compose.problems];
    tell(problems);
    const synced = d.templates.sync(
      [...folder.files, ...compose.files],
      new Set(problems.map((p) => p.path)),
    );
    for (const name of synced.updated) d.instances.sealStoredSecrets(name);
    if (opts.announce) announce(synced);
    return {
      folder: d.templatesDir,
      ...synced,
      problems: problems.map(({ path, message }) => ({ path, message })),
    };
  };
}

/**
 * Watches the folders (inotify through fs.watch) and reloads, keeping going past bad files, once a
 * change has been quiet for `quietMs`: an editor's write-and-rename is one reload. A change during
 * a reload is read by one more. A folder that cannot be watched (removed, not made yet) is tried
 * again every second. Returns the function that stops watching (and waits for a reload under way).
 */
export function watchTemplateFolders(
  dirs: string[],
  reload: () => Promise<unknown>,
  log: BerthLogger,
  quietMs = 150,
): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const watchers = new Map<string, FSWatcher>();
  const retries = new Set<NodeJS.Timeout>();

  const run = () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = reload()
      .then(() => undefined)
      .catch((err: unknown) =>
        log.warn({ ns: 'templates', err: userMessage(err) }, 'Templates folder not reloaded'),
      )
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          changed();
        }
      });
  };
  const changed = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, quietMs);
  };
  const open = (dir: string) => {
    if (closed) return;
    try {
      const w = watch(dir, { persistent: false }, changed);
      w.on('error', () => {
        w.close();
        watchers.delete(dir);
        retry(dir);
      });
      watchers.set(dir, w);
    } catch {
      retry(dir);
    }
  };
  const retry = (dir: string) => {
    const t = setTimeout(() => {
      retries.delete(t);
      open(dir);
      if (watchers.has(dir)) changed(); // what changed while it was not watched
    }, 1000);
    t.unref();
    retries.add(t);
  };
  for (const dir of dirs) open(dir);
  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const t of retries) clearTimeout(t);
    for (const w of watchers.values()) w.close();
    watchers.clear();
    await running;
  };
}
