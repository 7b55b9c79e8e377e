import { Conflict, InvalidInput, Unprocessable, userMessage } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { Instance } from './instance.js';
import { LOCAL_NODE } from './node.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import type { Store } from './store.js';
import type { Template } from './template.js';
import { templateNotFound } from './template-service.js';
import { getVersion, pinnedVersion, type VersionDef, versionsOf } from './template-versions.js';
import type { NodeImages, NodeImagesSource, VersionFolders } from './version-host.js';

/** One version of a template as `berth versions` shows it. */
export interface VersionStatus {
  name: string;
  kind: 'command' | 'image';
  /** The version's program (command templates) or image reference. */
  command: string | null;
  image: string | null;
  /** It has a step berth runs to install it (an install command, an image pull). */
  installable: boolean;
  /**
   * Its folder's marker, its program, or its image on the node asked about (default local); null
   * when berth cannot tell there (see `nodes` for why).
   */
  installed: boolean | null;
  /**
   * Where it is installed, node by node: node local, the node asked about, and each node an
   * instance pinning it is placed on (image versions); command versions' folders are on node local only.
   */
  nodes: VersionNodeStatus[];
  /** Its folder under BERTH_HOME/versions (command versions with an install step); else null. */
  dir: string | null;
  /** The instances that pin it. */
  usedBy: string[];
}

/** A version's presence on one node. */
export interface VersionNodeStatus {
  node: string;
  installed: boolean | null;
  /** Why `installed` is null (node X is unreachable…), or what it means there (a swarm's manager only). */
  note: string | null;
}

export interface VersionDeps {
  store: Store;
  events: EventBus;
  runtimes: RuntimeResolver;
  folders?: VersionFolders | undefined;
  /** Each node's images (the NodeRegistry): image versions are looked for on the node's own engine. */
  images?: NodeImagesSource | undefined;
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
    // All at once: a node that does not answer costs its deadline once, not once per version.
    return Promise.all(
      [...versionsOf(template).values()].map(async (def): Promise<VersionStatus> => {
        const pinning = users.get(def.name) ?? [];
        const where =
          def.kind === 'image'
            ? [...new Set([LOCAL_NODE, node, ...pinning.map((u) => u.node)])]
            : [LOCAL_NODE];
        const nodes = await Promise.all(where.map((n) => this.statusOn(template, def, n)));
        const asked = def.kind === 'image' ? nodes.find((n) => n.node === node) : nodes[0];
        return {
          name: def.name,
          kind: def.kind,
          command: def.kind === 'command' ? def.command : null,
          image: def.kind === 'image' ? def.image : null,
          installable: def.kind === 'image' || def.install !== undefined,
          installed: asked?.installed ?? null,
          nodes,
          dir: this.dirOf(template, def) ?? null,
          usedBy: pinning.map((u) => u.name),
        };
      }),
    );
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
    // An image already on the node is left alone (a pull would need its registry reachable).
    else if (def.kind === 'command' || (await this.isInstalled(template, def, node)) !== true)
      await this.installOnce(template, def, node);
    return this.get(templateName, version, node);
  }

  /** Deletes an installed version's folder or image tag; refused (409) while an instance pins it. */
  async remove(templateName: string, version: string, node = LOCAL_NODE): Promise<void> {
    const template = this.template(templateName);
    const def = getVersion(template, version);
    const users = (this.usersOf(template).get(version) ?? []).map((u) => u.name);
    if (users.length > 0) {
      throw new Conflict(
        `version ${version} of ${template.name} is used by ${users.join(', ')}; upgrade or remove them first`,
        { code: 'VERSION_IN_USE', details: { instances: users } },
      );
    }
    if (def.kind === 'image') await this.images(node, 'remove').remove(def.image);
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

  /** Version → the instances that pin it, and their nodes. */
  private usersOf(template: Template): Map<string, { name: string; node: string }[]> {
    const users = new Map<string, { name: string; node: string }[]>();
    for (const inst of this.d.store.instances.list({ template: template.name })) {
      const v = pinnedVersion(inst);
      if (v !== undefined) users.set(v, [...(users.get(v) ?? []), { name: inst.name, node: inst.node }]);
    }
    return users;
  }

  /** Whether the version is on the node, and why berth cannot tell when it cannot (never throws for that). */
  private async statusOn(template: Template, def: VersionDef, node: string): Promise<VersionNodeStatus> {
    if (def.kind === 'command')
      return { node, installed: await this.isInstalled(template, def, node), note: null };
    const found = this.lookup(node);
    if ('unknown' in found) return { node, installed: null, note: found.unknown };
    try {
      return { node, installed: await found.images.has(def.image), note: found.images.note ?? null };
    } catch (err) {
      return { node, installed: null, note: `node ${node} is unreachable: ${userMessage(err)}` };
    }
  }

  private lookup(node: string): { images: NodeImages } | { unknown: string } {
    if (!this.d.images) return { unknown: 'this berth reaches no container engine' };
    return this.d.images.imagesOf(node);
  }

  private dirOf(template: Template, def: VersionDef): string | undefined {
    if (def.kind !== 'command' || !def.install || !this.d.folders) return undefined;
    return this.d.folders.dirOf(template.name, def.name);
  }

  private async isInstalled(template: Template, def: VersionDef, node: string): Promise<boolean | null> {
    if (def.kind === 'image') return (await this.statusOn(template, def, node)).installed;
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
      if (def.kind === 'image') await this.images(node, 'pull').pull(def.image, onLine);
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

  /** The node's images, or a refusal saying why berth cannot reach them there. */
  private images(node: string, what: string): NodeImages {
    const found = this.lookup(node);
    if ('images' in found) return found.images;
    throw new Unprocessable(`cannot ${what} an image on node ${node}: ${found.unknown}`, {
      code: 'INSTALL_FAILED',
      details: { node },
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
