import { Conflict, InvalidInput, Unprocessable, userMessage } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { Instance } from './instance.js';
import { LOCAL_NODE } from './node.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import type { Store } from './store.js';
import type { Template } from './template.js';
import { templateNotFound } from './template-service.js';
import { getVersion, pinnedVersion, type VersionDef, versionsOf } from './template-versions.js';
import type { NodeImages, VersionFolders } from './version-host.js';

/** One version of a template as `berth versions` shows it. */
export interface VersionStatus {
  name: string;
  kind: 'command' | 'image';
  /** The version's program (command templates) or image reference. */
  command: string | null;
  image: string | null;
  /** It has a step berth runs to install it (an install command, an image pull). */
  installable: boolean;
  /** Its folder's marker, its program or its image is there; null when this node cannot tell. */
  installed: boolean | null;
  /** Its folder under BERTH_HOME/versions (command versions with an install step); else null. */
  dir: string | null;
  /** The instances that pin it. */
  usedBy: string[];
}

export interface VersionDeps {
  store: Store;
  events: EventBus;
  runtimes: RuntimeResolver;
  folders?: VersionFolders | undefined;
  images?: NodeImages | undefined;
}

/** The most lines of one install's output told as events; the log file has them all. */
const OUTPUT_EVENTS = 200;

/**
 * A template's versions: which are installed, who uses them, install and remove. A start runs
 * `ensure` first, so an instance whose version is missing installs it (or fails saying why).
 */
export class VersionService {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly d: VersionDeps) {}

  async list(templateName: string, node = LOCAL_NODE): Promise<VersionStatus[]> {
    const template = this.template(templateName);
    const users = this.usersOf(template);
    const out: VersionStatus[] = [];
    for (const def of versionsOf(template).values()) {
      out.push({
        name: def.name,
        kind: def.kind,
        command: def.kind === 'command' ? def.command : null,
        image: def.kind === 'image' ? def.image : null,
        installable: def.kind === 'image' || def.install !== undefined,
        installed: await this.isInstalled(template, def, node),
        dir: this.dirOf(template, def) ?? null,
        usedBy: users.get(def.name) ?? [],
      });
    }
    return out;
  }

  async get(templateName: string, version: string, node = LOCAL_NODE): Promise<VersionStatus> {
    getVersion(this.template(templateName), version);
    const all = await this.list(templateName, node);
    return all.find((v) => v.name === version)!;
  }

  /** Runs the version's install step (or pulls its image); one already installed is left alone. */
  async install(templateName: string, version: string, node = LOCAL_NODE): Promise<VersionStatus> {
    const template = this.template(templateName);
    const def = getVersion(template, version);
    if (def.kind === 'command' && !def.install) await this.requireProgram(template, def);
    else await this.installOnce(template, def, node);
    return this.get(templateName, version, node);
  }

  /** Deletes an installed version's folder or image tag; refused (409) while an instance pins it. */
  async remove(templateName: string, version: string, node = LOCAL_NODE): Promise<void> {
    const template = this.template(templateName);
    const def = getVersion(template, version);
    const users = this.usersOf(template).get(version) ?? [];
    if (users.length > 0) {
      throw new Conflict(
        `version ${version} of ${template.name} is used by ${users.join(', ')}; upgrade or remove them first`,
        { code: 'VERSION_IN_USE', details: { instances: users } },
      );
    }
    if (def.kind === 'image') await this.images('remove').remove(node, def.image);
    else if (def.install) await this.folders().remove(template.name, version);
    else {
      throw new InvalidInput(
        `version ${version} of ${template.name} has no install step: berth installed nothing to remove`,
        {
          details: { field: 'version' },
        },
      );
    }
    this.emit(template, version, 'removed', `version ${version} of ${template.name} removed`);
  }

  /**
   * Before an instance's deploy: its pinned version installed (installing it now if not), and the
   * folder `${BERTH_VERSION_DIR}` names. Nothing for an instance without a version, or a command
   * template on a container node (its command runs in the template's image).
   */
  async ensure(template: Template, inst: Pick<Instance, 'config' | 'node'>): Promise<string | undefined> {
    const version = pinnedVersion(inst);
    if (version === undefined || versionsOf(template).size === 0) return undefined;
    const def = getVersion(template, version);
    if (def.kind === 'command' && this.d.runtimes.resolve(inst.node, 'command').runsImages) return undefined;
    if (def.kind === 'command' && !def.install) return undefined;
    // Unknown (null: a node berth cannot look into) is left to the runtime, which pulls as it deploys.
    if ((await this.isInstalled(template, def, inst.node)) === false)
      await this.installOnce(template, def, inst.node);
    return this.dirOf(template, def);
  }

  private template(name: string): Template {
    const stored = this.d.store.templates.find(name);
    if (!stored) throw templateNotFound(this.d.store, name);
    return stored.template;
  }

  /** Version → names of the instances that pin it. */
  private usersOf(template: Template): Map<string, string[]> {
    const users = new Map<string, string[]>();
    for (const inst of this.d.store.instances.list({ template: template.name })) {
      const v = pinnedVersion(inst);
      if (v !== undefined) users.set(v, [...(users.get(v) ?? []), inst.name]);
    }
    return users;
  }

  private dirOf(template: Template, def: VersionDef): string | undefined {
    if (def.kind !== 'command' || !def.install || !this.d.folders) return undefined;
    return this.d.folders.dirOf(template.name, def.name);
  }

  private async isInstalled(template: Template, def: VersionDef, node: string): Promise<boolean | null> {
    if (def.kind === 'image')
      return this.d.images ? ((await this.d.images.has(node, def.image)) ?? null) : null;
    if (!this.d.folders) return null;
    if (def.install) return this.d.folders.isInstalled(template.name, def.name);
    return this.d.folders.hasProgram(def.command);
  }

  private async requireProgram(template: Template, def: Extract<VersionDef, { kind: 'command' }>) {
    if (await this.folders().hasProgram(def.command)) return;
    throw new Unprocessable(
      `version ${def.name} of ${template.name} has no install step and its program '${def.command}' is not on this machine`,
      { code: 'INSTALL_FAILED', details: { version: def.name } },
    );
  }

  /** One install at a time per version: a second caller waits for the first one's outcome. */
  private installOnce(template: Template, def: VersionDef, node: string): Promise<void> {
    const key = `${node}\0${template.name}\0${def.name}`;
    const running = this.running.get(key);
    if (running) return running;
    const job = this.runInstall(template, def, node).finally(() => this.running.delete(key));
    this.running.set(key, job);
    return job;
  }

  private async runInstall(template: Template, def: VersionDef, node: string): Promise<void> {
    const what = `version ${def.name} of ${template.name}`;
    this.emit(template, def.name, 'installing', `installing ${what}`);
    let told = 0;
    const onLine = (line: string) => {
      if (told++ < OUTPUT_EVENTS) this.emit(template, def.name, 'output', line);
    };
    try {
      if (def.kind === 'image') await this.images('pull').pull(node, def.image, onLine);
      else {
        const command = def.install ?? [];
        await this.folders().install({ template: template.name, version: def.name, command, onLine });
      }
    } catch (err) {
      const reason = userMessage(err);
      this.emit(template, def.name, 'failed', `install of ${what} failed: ${reason}`);
      throw new Unprocessable(`install of ${what} failed: ${reason}`, {
        code: 'INSTALL_FAILED',
        cause: err,
        details: { version: def.name, template: template.name },
      });
    }
    this.emit(template, def.name, 'installed', `${what} installed`);
  }

  private folders(): VersionFolders {
    if (this.d.folders) return this.d.folders;
    throw new Unprocessable('this berth has no folder for installed versions', { code: 'INSTALL_FAILED' });
  }

  private images(what: string): NodeImages {
    if (this.d.images) return this.d.images;
    throw new Unprocessable(`this berth reaches no container engine to ${what} an image`, {
      code: 'INSTALL_FAILED',
    });
  }

  private emit(template: Template, version: string, phase: string, message: string): void {
    this.d.events.emit({
      type: 'template.version',
      instanceId: null,
      instanceName: null,
      message,
      data: { template: template.name, version, phase },
    });
  }
}
