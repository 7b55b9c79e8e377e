import { z } from 'zod';
import { InvalidInput } from './errors.js';
import { nameProblem } from './names.js';
import { parseYamlText } from './template-yaml.js';

const name = z.string().superRefine((v, ctx) => {
  const problem = nameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `it ${problem}` });
});
const portNumber = z.number().int().min(1).max(65535);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const portSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
    /** Env var that receives the host port (`PORT`). */
    env: envName.optional(),
    /** CLI arg template that receives it, e.g. `--port=${PORT}` is written in args instead. */
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    /** Port inside the container (image/compose sources). */
    containerPort: portNumber.optional(),
    preferred: portNumber.optional(),
    range: z
      .tuple([portNumber, portNumber])
      .refine(([a, b]) => a <= b, 'range start must not be above its end')
      .optional(),
    /** Whether this port speaks HTTP (proxy and links). Defaults to true for the first tcp port. */
    http: z.boolean().optional(),
    /**
     * The host port is fixed (a compose file publishing `"8080:80"`): every instance pins
     * `preferred` unless it pins another, so a holder is named and the conflict flow asks.
     */
    fixed: z.boolean().optional(),
  })
  .strict();

export const configFieldSchema = z
  .object({
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    description: z.string().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().default(false),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
    /** Env var the value is passed as. */
    env: envName.optional(),
    /** CLI flag the value is passed as: `--model` gives `--model <value>` (booleans: the flag alone). */
    arg: z
      .string()
      .regex(/^-{1,2}[A-Za-z0-9][A-Za-z0-9-]*$/, 'must look like --flag')
      .optional(),
    secret: z.boolean().default(false),
  })
  .strict();

const healthTiming = {
  intervalSeconds: z.number().positive().default(10),
  timeoutSeconds: z.number().positive().default(5),
  retries: z.number().int().min(1).default(3),
  startPeriodSeconds: z.number().min(0).default(0),
};

export const healthSchema = z
  .object({
    http: z
      .object({
        port: z.string(),
        path: z.string().startsWith('/', 'must start with /').default('/'),
        expectStatus: z.number().int().min(100).max(599).optional(),
      })
      .strict()
      .optional(),
    tcp: z.object({ port: z.string() }).strict().optional(),
    command: z.array(z.string()).min(1).optional(),
    ...healthTiming,
  })
  .strict()
  .refine((h) => [h.http, h.tcp, h.command].filter(Boolean).length === 1, {
    message: 'exactly one of http, tcp or command is required',
  });

export const readinessSchema = z
  .object({
    /** Wait for: a listening port (`port`), an HTTP answer (`http`), a log line (`log`), or nothing. */
    kind: z.enum(['port', 'http', 'log', 'health', 'none']),
    port: z.string().optional(),
    path: z.string().optional(),
    pattern: z.string().optional(),
    timeoutSeconds: z.number().positive().default(30),
  })
  .strict();

export const restartSchema = z
  .object({
    policy: z.enum(['never', 'on-failure', 'always']).default('on-failure'),
    maxRetries: z.number().int().min(0).default(5),
    backoffSeconds: z.number().positive().default(1),
    maxBackoffSeconds: z.number().positive().default(60),
    /** A run this long resets the retry count. */
    resetAfterSeconds: z.number().positive().default(60),
    /** Restart when the health check reports unhealthy. */
    onUnhealthy: z.boolean().default(true),
  })
  .strict();

const commandSource = z
  .object({
    kind: z.literal('command'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Working directory; relative paths are inside the instance's data directory. */
    cwd: z.string().optional(),
    /** Installed versions: name → command; an instance picks one with config `version`. */
    versions: z.record(z.string(), z.object({ command: z.string().min(1) }).strict()).optional(),
  })
  .strict();

const volumeSchema = z
  .object({
    /** Path inside the container. */
    target: z.string().startsWith('/', 'must be an absolute path'),
    /** `data` bind-mounts the instance's data directory (or a subfolder); `volume` is a named volume per instance. */
    type: z.enum(['data', 'volume']).default('data'),
    subPath: z.string().optional(),
    readOnly: z.boolean().default(false),
  })
  .strict();

const imageSource = z
  .object({
    kind: z.literal('image'),
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    user: z.string().optional(),
    workdir: z.string().optional(),
    volumes: z.array(volumeSchema).default([]),
    init: z.boolean().default(true),
  })
  .strict();

const composeSource = z
  .object({
    kind: z.literal('compose'),
    /** Path of the compose file; relative to the template file's folder. */
    file: z.string().min(1),
    envFile: z.string().optional(),
    /** The service whose port is the instance's link (first service with ports when absent). */
    service: z.string().optional(),
  })
  .strict();

const buildSource = z
  .object({
    kind: z.literal('build'),
    /** Folder with the build context (under BERTH_HOME/builds/<id>/). */
    context: z.string().min(1),
    dockerfile: z.string().default('Dockerfile'),
    image: z.string().min(1),
    buildId: z.string().optional(),
  })
  .strict();

export const templateSchema = z
  .object({
    name,
    description: z.string().optional(),
    source: z.discriminatedUnion('kind', [commandSource, imageSource, composeSource, buildSource]),
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
  })
  .strict()
  .superRefine((t, ctx) => {
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
    const portRef = (port: string | undefined, path: (string | number)[]) => {
      if (port !== undefined && !seen.has(port))
        ctx.addIssue({ code: 'custom', path, message: `names no port '${port}'` });
    };
    portRef(t.health?.http?.port, ['health', 'http', 'port']);
    portRef(t.health?.tcp?.port, ['health', 'tcp', 'port']);
    portRef(t.readiness?.port, ['readiness', 'port']);
    if (t.proxy !== undefined) {
      const p = t.ports.find((q) => q.name === t.proxy);
      const names = t.ports.filter(isProxiable).map((q) => q.name);
      const known = names.length > 0 ? `; its tcp ports are ${names.join(', ')}` : '; it has no tcp port';
      if (!p || !isProxiable(p))
        ctx.addIssue({
          code: 'custom',
          path: ['proxy'],
          message: `${p ? `port '${t.proxy}' cannot be proxied (udp or http: false)` : `names no port '${t.proxy}'`}${known}`,
        });
    }
    if (
      (t.source.kind === 'image' || t.source.kind === 'build') &&
      t.ports.some((p) => p.containerPort === undefined)
    ) {
      const i = t.ports.findIndex((p) => p.containerPort === undefined);
      ctx.addIssue({
        code: 'custom',
        path: ['ports', i, 'containerPort'],
        message: 'is required for image templates',
      });
    }
  });

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
