import type { Clock } from './clock.js';
import { Conflict, NotFound } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { Store, StoredTemplate } from './store.js';
import { type Template, validateTemplate } from './template.js';
import { API_ORIGIN, fileOrigin, type TemplateOrigin } from './template-origin.js';

export interface TemplateFile {
  /** Absolute path, recorded as the template's origin. */
  path: string;
  template: Template;
}

/** Templates from files and from the API, with the rules that protect running instances. */
export class TemplateService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  list(): StoredTemplate[] {
    return this.store.templates.list();
  }

  get(name: string): StoredTemplate {
    const t = this.store.templates.find(name);
    if (!t) throw templateNotFound(this.store, name);
    return t;
  }

  /** Creates from an API body; refuses to shadow an existing template. */
  create(input: unknown): StoredTemplate {
    const template = validateTemplate(input, 'request body');
    if (this.store.templates.find(template.name)) {
      throw new Conflict(`a template named '${template.name}' already exists`, { code: 'NAME_TAKEN' });
    }
    return this.save(template, API_ORIGIN);
  }

  update(name: string, input: unknown): StoredTemplate {
    const existing = this.get(name);
    const template = validateTemplate(input, 'request body');
    if (template.name !== name) {
      throw new Conflict(`the body names template '${template.name}', not '${name}'`, {
        code: 'NAME_MISMATCH',
      });
    }
    return this.save(template, existing.origin);
  }

  delete(name: string): void {
    this.get(name);
    const count = this.store.instances.countByTemplate(name);
    if (count > 0) {
      throw new Conflict(
        `template '${name}' still has ${count} instance${count === 1 ? '' : 's'}; remove them first`,
        {
          code: 'TEMPLATE_IN_USE',
          details: { instances: count },
        },
      );
    }
    this.store.templates.delete(name);
    this.events.emit({
      type: 'template.changed',
      instanceId: null,
      instanceName: null,
      message: `template ${name} deleted`,
      data: { name },
    });
  }

  /**
   * Replaces the file-backed templates with what the folder holds now (all parsed before anything
   * is written, so one bad file changes nothing). Templates created through the API are kept, and
   * so are those of the files in `keep` (files that could not be read now: their last good
   * version stays until they can).
   */
  sync(files: TemplateFile[], keep: ReadonlySet<string> = new Set()): TemplateSyncResult {
    const result: TemplateSyncResult = { added: [], updated: [], unchanged: [], removed: [], kept: [] };
    const names = fileOfEachName(files);
    this.store.transaction(() => {
      for (const f of files) this.syncFile(f, result);
      this.dropTemplatesOfGoneFiles(names, keep, result);
    });
    return result;
  }

  private syncFile(f: TemplateFile, result: TemplateSyncResult): void {
    const existing = this.store.templates.find(f.template.name);
    if (existing && existing.origin.kind !== 'file') {
      result.kept.push(f.template.name);
      return;
    }
    // The same file saying the same thing: nothing to write, nothing to report as changed.
    if (existing && sameTemplate(existing, f)) {
      result.unchanged.push(f.template.name);
      return;
    }
    this.store.templates.upsert({
      template: f.template,
      origin: fileOrigin(f.path),
      updatedAt: this.clock.now(),
    });
    (existing ? result.updated : result.added).push(f.template.name);
  }

  /** A file-backed template whose file is gone goes too, unless instances still need it. */
  private dropTemplatesOfGoneFiles(
    names: Map<string, string>,
    keep: ReadonlySet<string>,
    result: TemplateSyncResult,
  ): void {
    for (const t of this.store.templates.list()) {
      if (t.origin.kind !== 'file' || names.has(t.template.name)) continue;
      if (keep.has(t.origin.path) || this.store.instances.countByTemplate(t.template.name) > 0) {
        result.kept.push(t.template.name);
        continue;
      }
      this.store.templates.delete(t.template.name);
      result.removed.push(t.template.name);
    }
  }

  private save(template: Template, origin: TemplateOrigin): StoredTemplate {
    const stored = { template, origin, updatedAt: this.clock.now() };
    this.store.templates.upsert(stored);
    this.events.emit({
      type: 'template.changed',
      instanceId: null,
      instanceName: null,
      message: `template ${template.name} saved`,
      data: { name: template.name },
    });
    return stored;
  }
}

/** "template 'x' was not found; the templates are: …" — the names that exist, for a typo's fix. */
export function templateNotFound(store: Pick<Store, 'templates'>, name: string): NotFound {
  const known = store.templates.list().map((t) => t.template.name);
  return new NotFound('template', name, { known: known.sort() });
}

/** What a folder sync did: `kept` are templates made through the API that a file names too. */
export interface TemplateSyncResult {
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  kept: string[];
}

function sameTemplate(stored: StoredTemplate, file: TemplateFile): boolean {
  return (
    stored.origin.kind === 'file' &&
    stored.origin.path === file.path &&
    JSON.stringify(stored.template) === JSON.stringify(file.template)
  );
}

/** Template name → its file; two files naming one template are refused before anything is written. */
function fileOfEachName(files: TemplateFile[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of files) {
    const prev = names.get(f.template.name);
    if (prev)
      throw new Conflict(`template '${f.template.name}' is defined twice: ${prev} and ${f.path}`, {
        code: 'NAME_TAKEN',
      });
    names.set(f.template.name, f.path);
  }
  return names;
}
