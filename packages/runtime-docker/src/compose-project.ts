import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  composePortName,
  composePrimary,
  composeScaleRefusal,
  type DeploySpec,
  InvalidInput,
  moveFixedPorts,
  parseComposeFile,
  type Template,
  type WorkloadHandle,
} from '@berth/core';
import { berthLabels, LABEL } from './berth-labels.js';

export const COMPOSE_RUNTIME = 'compose';

/** The label keys the compose runtime adds, so a project can be found and driven again after a restart. */
export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  primary: 'berth.compose-primary',
  files: 'berth.compose-files',
  envFile: 'berth.compose-env-file',
  projectDir: 'berth.compose-project-dir',
} as const;

/** What one instance's compose project is: its name, its files and the service its ports point at. */
export interface ComposeProject {
  project: string;
  /** The template's compose file, then berth's generated override. */
  files: string[];
  envFile: string | null;
  primary: string;
  /**
   * The template's compose file's folder, when berth runs a rewritten copy of that file (fixed
   * ports moved) from the instance's data directory: relative paths still mean what they meant.
   */
  projectDir: string | null;
}

/** `berth-<instance>`, in the characters every compose version keeps in a project name. */
export function composeProjectName(instance: string): string {
  return `berth-${instance}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

export function composeHandle(p: ComposeProject, node: string): WorkloadHandle {
  return {
    runtime: COMPOSE_RUNTIME,
    id: p.project,
    meta: {
      project: p.project,
      files: JSON.stringify(p.files),
      envFile: p.envFile,
      primary: p.primary,
      projectDir: p.projectDir,
      node,
    },
  };
}

/** The project a handle names; handles made by `list()` after a restart carry the same fields. */
export function projectOf(handle: WorkloadHandle): ComposeProject {
  const files = typeof handle.meta.files === 'string' ? (JSON.parse(handle.meta.files) as string[]) : [];
  return {
    project: handle.id,
    files,
    envFile: typeof handle.meta.envFile === 'string' ? handle.meta.envFile : null,
    primary: typeof handle.meta.primary === 'string' ? handle.meta.primary : '',
    projectDir: typeof handle.meta.projectDir === 'string' ? handle.meta.projectDir : null,
  };
}

/** The project's handle, from the labels berth put on one of its containers. */
export function handleFromLabels(labels: Record<string, string>, node: string): WorkloadHandle {
  return composeHandle(
    {
      project: labels[COMPOSE_LABEL.project] ?? '',
      files: JSON.parse(labels[COMPOSE_LABEL.files] ?? '[]') as string[],
      envFile: labels[COMPOSE_LABEL.envFile] || null,
      primary: labels[COMPOSE_LABEL.primary] ?? '',
      projectDir: labels[COMPOSE_LABEL.projectDir] || null,
    },
    node,
  );
}

function sourceOf(spec: DeploySpec) {
  if (spec.source.kind !== 'compose') {
    throw new InvalidInput(
      `The compose runtime runs compose templates; ${spec.template} is a '${spec.source.kind}' template`,
      { code: 'WRONG_RUNTIME' },
    );
  }
  return spec.source;
}

function located(path: string, spec: DeploySpec): string {
  return isAbsolute(path) ? path : resolve(spec.templateDir ?? spec.cwd, path);
}

/**
 * Why the compose template cannot run `replicas` replicas (see core's composeScaleRefusal: its
 * primary service publishes a host port), or null. A file that cannot be read is the deploy's to
 * report, as it is with one replica.
 */
export async function scaleRefusalOf(
  template: Template,
  templateDir: string | null,
  replicas: number,
): Promise<string | null> {
  const source = template.source;
  if (source.kind !== 'compose' || replicas <= 1) return null;
  const file = isAbsolute(source.file) ? source.file : resolve(templateDir ?? '.', source.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  return composeScaleRefusal(parseComposeFile(text, file), source.service, replicas);
}

/** Where berth writes the compose file with moved fixed ports, when it needs one. */
export function movedComposePath(spec: DeploySpec): string {
  return join(spec.dataDir, 'berth-compose.moved.yml');
}

/** Fixed host ports of the file that the instance publishes elsewhere (port name → its port). */
function movedPorts(spec: DeploySpec, parsed: ReturnType<typeof parseComposeFile>): Map<string, number> {
  const moves = new Map<string, number>();
  for (const p of parsed.ports) {
    if (p.variable !== null || p.hostPort === null) continue;
    const name = composePortName(p);
    const resolved = spec.ports.find((r) => r.name === name);
    if (resolved && resolved.hostPort !== p.hostPort) moves.set(name, resolved.hostPort);
  }
  return moves;
}

/** Where berth writes the instance's override file: inside its data directory. */
export function overridePath(spec: DeploySpec): string {
  return join(spec.dataDir, 'berth-compose.override.yml');
}

/**
 * Reads the template's compose file, and writes the override that labels every service's
 * containers as berth's (and swaps missing images for their base-image mapping).
 * `imageFor` answers the image to use for a service's image, or undefined to keep it.
 */
export async function prepareProject(
  spec: DeploySpec,
  imageFor: (image: string) => Promise<string | undefined>,
): Promise<ComposeProject> {
  const source = sourceOf(spec);
  const file = located(source.file, spec);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidInput(`The compose file ${file} of template ${spec.template} cannot be read`, {
      code: 'INVALID_COMPOSE',
      cause: err,
    });
  }
  const parsed = parseComposeFile(text, file);
  const primary = composePrimary(parsed, source.service);
  if (source.service && !parsed.services.includes(source.service)) {
    throw new InvalidInput(`${file} has no service '${source.service}'`, { code: 'INVALID_COMPOSE' });
  }
  const override = overridePath(spec);
  await mkdir(spec.dataDir, { recursive: true });
  // Fixed host ports the conflict flow moved: the container publishes the port berth leased.
  const moves = movedPorts(spec, parsed);
  let main = file;
  if (moves.size > 0) {
    main = movedComposePath(spec);
    await writeFile(main, moveFixedPorts(text, file, moves));
  }
  const project: ComposeProject = {
    project: composeProjectName(spec.instanceName),
    files: [main, override],
    envFile: source.envFile ? located(source.envFile, spec) : null,
    primary,
    projectDir: main === file ? null : dirname(file),
  };
  const labels = projectLabels(spec, project);
  const services: Record<string, { labels: Record<string, string>; image?: string }> = {};
  for (const name of parsed.services) {
    const image = parsed.images[name];
    const mapped = image ? await imageFor(image) : undefined;
    services[name] = { labels, ...(mapped && mapped !== image ? { image: mapped } : {}) };
  }
  // JSON is YAML, so the override needs no YAML writer.
  const doc = { ...(parsed.version ? { version: parsed.version } : {}), services };
  await writeFile(override, `${JSON.stringify(doc, null, 2)}\n`);
  return project;
}

function projectLabels(spec: DeploySpec, p: ComposeProject): Record<string, string> {
  const labels: Record<string, string> = {
    ...berthLabels(spec),
    [LABEL.runtime]: COMPOSE_RUNTIME,
    [COMPOSE_LABEL.primary]: p.primary,
    [COMPOSE_LABEL.files]: JSON.stringify(p.files),
  };
  if (p.envFile) labels[COMPOSE_LABEL.envFile] = p.envFile;
  if (p.projectDir) labels[COMPOSE_LABEL.projectDir] = p.projectDir;
  for (const port of spec.ports) {
    labels[LABEL.portPrefix + port.name] =
      `${port.hostPort}:${port.containerPort ?? port.hostPort}/${port.protocol}`;
  }
  return labels;
}
