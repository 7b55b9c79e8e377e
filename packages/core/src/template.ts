import { z } from 'zod';
import { InvalidInput } from './errors.js';
import { nameProblem } from './names.js';
import {
  buildSource,
  commandSource,
  composeSource,
  configFieldSchema,
  envName,
  externalSource,
  healthSchema,
  imageSource,
  portSpecSchema,
  readinessSchema,
  restartSchema,
} from './template-parts.js';
import { parseYamlText } from './template-yaml.js';

export { healthSchema, portSpecSchema, restartSchema } from './template-parts.js';

const name = z.string().superRefine((v, ctx) => {
  const problem = nameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `it ${problem}` });
});

const templateFields = z
  .object({
    name,
    description: z.string().optional(),
    source: z.discriminatedUnion('kind', [
      commandSource,
      imageSource,
      composeSource,
      buildSource,
      externalSource,
    ]),
    ports: z.array(portSpecSchema).default([]),
    env: z.record(envName, z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    config: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/), configFieldSchema).default({}),
    health: healthSchema.optional(),
    readiness: readinessSchema.optional(),
    restart: restartSchema.optional(),
    resources: z
      .object({ memoryMb: z.number().positive().optional(), cpus: z.number().positive().optional() })
      .strict()
      .optional(),
    maxInstances: z.number().int().min(1).optional(),
    /**
     * The port `<instance>.localhost`, `/i/<instance>/` and the instance's link serve: a tcp port's
     * name. Default: the port named `http`, else the first tcp port not marked `http: false`.
     */
    proxy: z.string().optional(),
    stopTimeoutSeconds: z.number().positive().default(10),
    replicas: z.number().int().min(1).default(1),
    /**
     * Where the data directory lives on a cluster. Without it (or `persistent: false`) a Kubernetes
     * pod's data is an emptyDir, lost with the pod; `persistent: true` gives the instance a
     * PersistentVolumeClaim of `size` (default 1Gi) in `storageClass` (default: the node's, else
     * the cluster's default class), kept across redeploys until the instance is removed.
     */
    data: z
      .object({
        persistent: z.boolean().default(false),
        size: z
          .string()
          .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/, 'must be a quantity such as 1Gi or 500Mi')
          .default('1Gi'),
        storageClass: z
          .string()
          .regex(
            /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
            'must be a storage class name (lowercase DNS name)',
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

type Fields = z.output<typeof templateFields>;
type Issues = Pick<z.core.$RefinementCtx, 'addIssue'>;
type Path = (string | number)[];

/** A template's parts each valid on their own must also agree: the ports others name exist. */
export const templateSchema = templateFields.superRefine((t, ctx) => {
  const seen = checkPortNames(t, ctx);
  const portRef = (port: string | undefined, path: Path) => {
    if (port !== undefined && !seen.has(port))
      ctx.addIssue({ code: 'custom', path, message: `names no port '${port}'` });
  };
  portRef(t.health?.http?.port, ['health', 'http', 'port']);
  portRef(t.health?.tcp?.port, ['health', 'tcp', 'port']);
  portRef(t.readiness?.port, ['readiness', 'port']);
  checkProxy(t, ctx);
  checkContainerPorts(t, ctx);
  checkExternalPorts(t, ctx);
});

/** Port names are unique and a preferred port lies in its range; returns the names. */
function checkPortNames(t: Fields, ctx: Issues): Set<string> {
  const seen = new Set<string>();
  t.ports.forEach((p, i) => {
    if (seen.has(p.name))
      ctx.addIssue({
        code: 'custom',
        path: ['ports', i, 'name'],
        message: `duplicate port name '${p.name}'`,
      });
    seen.add(p.name);
    if (p.preferred !== undefined && p.range && (p.preferred < p.range[0] || p.preferred > p.range[1])) {
      ctx.addIssue({ code: 'custom', path: ['ports', i, 'preferred'], message: 'must lie inside range' });
    }
  });
  return seen;
}

/** `proxy` names a port the reverse proxy can serve; the message lists the ones it can. */
function checkProxy(t: Fields, ctx: Issues): void {
  if (t.proxy === undefined) return;
  const p = t.ports.find((q) => q.name === t.proxy);
  if (p && isProxiable(p)) return;
  const names = t.ports.filter(isProxiable).map((q) => q.name);
  const known = names.length > 0 ? `; its tcp ports are ${names.join(', ')}` : '; it has no tcp port';
  ctx.addIssue({
    code: 'custom',
    path: ['proxy'],
    message: `${p ? `port '${t.proxy}' cannot be proxied (udp or http: false)` : `names no port '${t.proxy}'`}${known}`,
  });
}

/** A container's host port is published from a container port, which an image cannot tell berth. */
function checkContainerPorts(t: Fields, ctx: Issues): void {
  if (t.source.kind !== 'image' && t.source.kind !== 'build') return;
  const i = t.ports.findIndex((p) => p.containerPort === undefined);
  if (i < 0) return;
  ctx.addIssue({
    code: 'custom',
    path: ['ports', i, 'containerPort'],
    message: 'is required for image templates',
  });
}

/** An external service's ports are where it listens: each names its number (`preferred`). */
function checkExternalPorts(t: Fields, ctx: Issues): void {
  if (t.source.kind !== 'external') return;
  const i = t.ports.findIndex((p) => p.preferred === undefined);
  if (i >= 0)
    ctx.addIssue({
      code: 'custom',
      path: ['ports', i, 'preferred'],
      message: 'is required for external templates (the port it listens on)',
    });
}

export type TemplateInput = z.input<typeof templateSchema>;
export type Template = z.output<typeof templateSchema>;
export type PortSpec = Template['ports'][number];
export type ConfigField = Template['config'][string];
export type HealthCheck = NonNullable<Template['health']>;
export type RestartPolicy = z.output<typeof restartSchema>;
export type TemplateSource = Template['source'];

/** Formats zod issues as "field: reason" lines a person can act on. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return `${path || '(root)'}: ${i.message}`;
  });
}

/** Validates a template object; `origin` names the file or request it came from. */
export function validateTemplate(input: unknown, origin = 'template'): Template {
  const result = templateSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues);
    throw new InvalidInput(`${origin} is not a valid template: ${problems.join('; ')}`, {
      code: 'INVALID_TEMPLATE',
      details: {
        origin,
        issues: result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      },
    });
  }
  return result.data;
}

/** Parses template text (YAML or JSON by file name) — pure; reading the file is the caller's job. */
export function parseTemplate(text: string, fileName: string): Template {
  let data: unknown;
  try {
    data = fileName.endsWith('.json') ? JSON.parse(text) : parseYamlText(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InvalidInput(`${fileName} cannot be parsed: ${reason}`, {
      code: 'INVALID_TEMPLATE',
      cause: err,
      details: { origin: fileName },
    });
  }
  return validateTemplate(data, fileName);
}

/** Whether berth's reverse proxy can serve a port: tcp, not marked `http: false`. */
function isProxiable(p: Pick<PortSpec, 'protocol' | 'http'>): boolean {
  return p.protocol !== 'udp' && p.http !== false;
}

/**
 * The port that berth links to and proxies by default: the template's `proxy`, else the port named
 * `http`, else the first marked `http: true`, else the first tcp port not marked `http: false`.
 */
export function primaryHttpPort(
  t: Pick<Template, 'ports'> & { proxy?: string | undefined },
): PortSpec | undefined {
  const proxiable = proxiedPorts(t);
  return (
    (t.proxy === undefined ? undefined : proxiable.find((p) => p.name === t.proxy)) ??
    proxiable.find((p) => p.name === 'http') ??
    proxiable.find((p) => p.http === true) ??
    proxiable[0]
  );
}

/** Every port the reverse proxy serves (`<port>.<instance>.localhost`), in declared order. */
export function proxiedPorts(t: Pick<Template, 'ports'>): PortSpec[] {
  return t.ports.filter(isProxiable);
}
