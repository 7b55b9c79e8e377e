import { parse as parseYaml } from 'yaml';
import { InvalidInput } from './errors.js';
import type { Protocol } from './port-lease.js';
import { type Template, validateTemplate } from './template.js';

/** One published port of a compose service, as written in its `ports:` list. */
export interface ComposePort {
  service: string;
  /** `${VAR:-default}` in the host part: the variable and its default. */
  variable: string | null;
  /** The default of the variable, or the fixed host port. */
  hostPort: number | null;
  containerPort: number | null;
  protocol: Protocol;
}

export interface ComposeFile {
  /** The file's `version:`, when it has one (an override file must repeat it for compose v1). */
  version: string | null;
  services: string[];
  /** Service → its `image:`, for services that name one. */
  images: Record<string, string>;
  ports: ComposePort[];
  /** Service → its `container_name:`, for services that set one (one container only: it cannot scale). */
  containerNames: Record<string, string>;
}

/** `${VAR}`, `${VAR-80}`, `${VAR:-80}`, and `${VAR?msg}` / `${VAR:?msg}` (required: compose fails without it). */
const VAR_PORT = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-(\d+)|:?\?[^}]*)?\}$/;

function fail(fileName: string, reason: string, cause?: unknown): never {
  throw new InvalidInput(`${fileName} is not a usable compose file: ${reason}`, {
    code: 'INVALID_COMPOSE',
    cause,
    details: { origin: fileName },
  });
}

/** The services and published ports of a compose file — pure; reading it is the caller's job. */
export function parseComposeFile(text: string, fileName: string): ComposeFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    fail(fileName, (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'YAML error', err);
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services))
    fail(fileName, 'it has no services');
  const version = (doc as { version?: unknown }).version;
  const out: ComposeFile = {
    version: version === undefined || version === null ? null : String(version),
    services: Object.keys(services),
    images: {},
    ports: [],
    containerNames: {},
  };
  for (const [name, svc] of Object.entries(
    services as Record<string, { ports?: unknown; image?: unknown; container_name?: unknown }>,
  )) {
    if (typeof svc?.image === 'string') out.images[name] = svc.image;
    if (typeof svc?.container_name === 'string') out.containerNames[name] = svc.container_name;
    const ports = svc?.ports;
    if (ports === undefined) continue;
    if (!Array.isArray(ports)) fail(fileName, `services.${name}.ports must be a list`);
    for (const entry of ports) {
      const port = composePort(name, entry);
      if (port) out.ports.push(port);
    }
  }
  return out;
}

/** A short (`"${P:-80}:80/tcp"`) or long (`{ target, published }`) port entry; null when no host port is published. */
export function composePort(service: string, entry: unknown): ComposePort | null {
  if (typeof entry === 'object' && entry !== null) {
    const e = entry as { target?: unknown; published?: unknown; protocol?: unknown };
    if (e.published === undefined) return null;
    return hostPart(
      service,
      String(e.published),
      numberOrNull(e.target),
      e.protocol === 'udp' ? 'udp' : 'tcp',
    );
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return null;
  const [spec, proto] = String(entry).split('/');
  const protocol: Protocol = proto === 'udp' ? 'udp' : 'tcp';
  const parts = splitPortSpec(spec ?? '');
  if (parts.length < 2) return null; // container port only: the engine picks a host port
  const host = parts[parts.length - 2]!;
  return hostPart(service, host, numberOrNull(parts[parts.length - 1]), protocol);
}

/** Splits `ip:host:container` on the colons outside `${…}`. */
function splitPortSpec(spec: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of spec) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function hostPart(
  service: string,
  host: string,
  containerPort: number | null,
  protocol: Protocol,
): ComposePort | null {
  const m = VAR_PORT.exec(host.trim());
  if (m) return { service, variable: m[1]!, hostPort: m[2] ? Number(m[2]) : null, containerPort, protocol };
  const fixed = numberOrNull(host);
  return fixed === null ? null : { service, variable: null, hostPort: fixed, containerPort, protocol };
}

function numberOrNull(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** `openmemory-compose.yaml` → `openmemory`; `My_App.yml` → `my-app`. */
export function composeTemplateName(fileName: string): string {
  const base = fileName.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
  if (/^(docker-)?compose$/i.test(base)) return 'compose';
  const name = base
    .replace(/^(docker-)?compose[._-]/i, '')
    .replace(/[._-](docker-)?compose$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  return name.slice(0, 63).replace(/-+$/, '') || 'compose';
}

/** `MEM0_PORT` → `mem0-port`; a fixed port → `<service>-<port>`: the name the template gives it. */
export function composePortName(p: ComposePort): string {
  const raw = p.variable ?? `${p.service}-${p.hostPort}`;
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  return name || `port-${p.hostPort}`;
}

/**
 * A compose file as a template — pure. Ports written `${VAR:-default}` become ports berth
 * allocates (env VAR, preferred default); fixed host ports are `fixed` ports every instance pins
 * to their number unless it pins another (the compose runtime then publishes that one instead).
 * `file` is how the template refers to the compose file (relative to the template's folder).
 */
export function composeTemplate(text: string, fileName: string, file = fileName): Template {
  const parsed = parseComposeFile(text, fileName);
  const seen = new Set<string>();
  const ports: Record<string, unknown>[] = [];
  for (const p of parsed.ports) {
    const name = composePortName(p);
    if (seen.has(name)) continue;
    seen.add(name);
    const fixed = p.variable === null;
    ports.push({
      name,
      ...(p.variable ? { env: p.variable } : {}),
      protocol: p.protocol,
      ...(p.containerPort !== null ? { containerPort: p.containerPort } : {}),
      ...(p.hostPort !== null ? { preferred: p.hostPort } : {}),
      ...(fixed && p.hostPort !== null ? { range: [p.hostPort, p.hostPort], fixed: true } : {}),
    });
  }
  const primary = parsed.ports[0]?.service ?? parsed.services[0];
  return validateTemplate(
    {
      name: composeTemplateName(fileName),
      description: `compose file ${fileName.replace(/^.*\//, '')}`,
      source: { kind: 'compose', file, ...(primary ? { service: primary } : {}) },
      ports,
    },
    fileName,
  );
}

/** A port entry with another host port, in the syntax it was written in. */
function withHostPort(entry: unknown, port: number): unknown {
  if (typeof entry === 'object' && entry !== null) return { ...entry, published: port };
  const [spec = '', proto] = String(entry).split('/');
  const parts = splitPortSpec(spec);
  parts[parts.length - 2] = String(port);
  return `${parts.join(':')}${proto ? `/${proto}` : ''}`;
}

/**
 * The compose file with fixed host ports moved (port name → new host port), as JSON (which is
 * YAML) — pure. An override file cannot move them: compose adds the ports of every file.
 */
export function moveFixedPorts(text: string, fileName: string, moves: ReadonlyMap<string, number>): string {
  let doc: { services?: Record<string, { ports?: unknown[] }> };
  try {
    doc = parseYaml(text, { merge: true }) as typeof doc;
  } catch (err) {
    fail(fileName, (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'YAML error', err);
  }
  for (const [service, svc] of Object.entries(doc.services ?? {})) {
    if (!Array.isArray(svc?.ports)) continue;
    svc.ports = svc.ports.map((entry) => {
      const p = composePort(service, entry);
      const to = p && p.variable === null ? moves.get(composePortName(p)) : undefined;
      return to === undefined ? entry : withHostPort(entry, to);
    });
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}
