import { InvalidInput } from './errors.js';
import type { Instance } from './instance.js';
import type { Template } from './template.js';

/** One version of a template as berth runs it: a command's program (and args) or an image reference. */
export type VersionDef =
  | { kind: 'command'; name: string; command: string; args?: string[]; install?: string[] }
  | { kind: 'image'; name: string; image: string };

/** The versions a template declares, by name; empty when it declares none. */
export function versionsOf(template: Pick<Template, 'source'>): Map<string, VersionDef> {
  const src = template.source;
  const out = new Map<string, VersionDef>();
  if (src.kind === 'command') {
    for (const [name, v] of Object.entries(src.versions ?? {})) {
      const install = typeof v.install === 'string' ? ['sh', '-c', v.install] : v.install;
      out.set(name, {
        kind: 'command',
        name,
        command: v.command,
        ...(v.args ? { args: v.args } : {}),
        ...(install ? { install } : {}),
      });
    }
  }
  if (src.kind === 'image') {
    for (const [name, v] of Object.entries(src.versions ?? {})) {
      out.set(name, { kind: 'image', name, image: v.image ?? withTag(src.image, v.tag ?? 'latest') });
    }
  }
  return out;
}

/** Whether the template declares versions an instance can pin. */
export function isVersioned(template: Pick<Template, 'source'>): boolean {
  return versionsOf(template).size > 0;
}

/** `repo/name:old` (or `repo/name`, `host:5000/name`) with `tag` as its tag; a digest is dropped. */
export function withTag(image: string, tag: string): string {
  const bare = image.split('@')[0]!;
  const slash = bare.lastIndexOf('/');
  const colon = bare.lastIndexOf(':');
  const repo = colon > slash ? bare.slice(0, colon) : bare;
  return `${repo}:${tag}`;
}

/** The version an instance pins (stored as its config `version`); undefined when none. */
export function pinnedVersion(inst: Pick<Instance, 'config'>): string | undefined {
  const v = inst.config.version;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A 400 naming `version` and listing the versions the template knows. */
export function unknownVersion(template: Pick<Template, 'source' | 'name'>, version: unknown): InvalidInput {
  const known = [...versionsOf(template).keys()];
  return new InvalidInput(
    `version '${String(version)}' is not a version of template '${template.name}' (known: ${known.join(', ') || 'none'})`,
    { code: 'INVALID_CONFIG', details: { field: 'version', known } },
  );
}

/** The template's version `name`, or the 400 listing the known ones. */
export function getVersion(template: Pick<Template, 'source' | 'name'>, name: string): VersionDef {
  const def = versionsOf(template).get(name);
  if (!def) throw unknownVersion(template, name);
  return def;
}

/** `${BERTH_VERSION_DIR}` replaced by the version's folder. */
export function inVersionDir(text: string, dir: string | undefined): string {
  return dir === undefined ? text : text.replaceAll('${BERTH_VERSION_DIR}', dir);
}

/**
 * The template as the instance's version runs it: the version's command and args (its folder
 * substituted), or its image. Without a pinned version: the template as it is. A version the
 * template no longer has is refused (never silently the default command).
 */
export function templateAtVersion(
  template: Template,
  inst: Pick<Instance, 'config'>,
  dir?: string,
): Template {
  const version = pinnedVersion(inst);
  if (version === undefined || !isVersioned(template)) return template;
  const def = getVersion(template, version);
  const src = template.source;
  if (def.kind === 'command' && src.kind === 'command') {
    const args = (def.args ?? src.args).map((a) => inVersionDir(a, dir));
    return { ...template, source: { ...src, command: inVersionDir(def.command, dir), args } };
  }
  if (def.kind === 'image' && src.kind === 'image')
    return { ...template, source: { ...src, image: def.image } };
  return template;
}
