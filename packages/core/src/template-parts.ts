import { z } from 'zod';

// The parts a template is made of, each validated on its own; template.ts puts them together and
// checks what spans parts (port names a health check or the proxy refers to).

const portNumber = z.number().int().min(1).max(65535);
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

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

/** A version's name: also a folder name under BERTH_HOME/versions/<template>/. */
export const versionName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/,
    'must be letters, digits, ., _, + and -, not starting with a symbol',
  );

const commandVersion = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    /** Run once before the version's first start: a shell line (`sh -c`) or an argument array. */
    install: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  })
  .strict();

/** An image template's version: a tag of the source's image, or a whole other image reference. */
const imageVersion = z
  .object({
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag')
      .optional(),
    image: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (v) => (v.tag === undefined) !== (v.image === undefined),
    'exactly one of tag or image is required',
  );

export const commandSource = z
  .object({
    kind: z.literal('command'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Working directory; relative paths are inside the instance's data directory. */
    cwd: z.string().optional(),
    /**
     * The image the command runs in on a container node (docker, swarm, kubernetes): the same
     * template runs as a process on node local and as a container elsewhere.
     */
    image: z.string().min(1).optional(),
    /**
     * Versions of the program: name → its command (`${BERTH_VERSION_DIR}` is its folder), args in
     * place of the source's, and an install step run once that puts it under
     * BERTH_HOME/versions/<template>/<version>/. An instance pins one (`version`).
     */
    versions: z.record(versionName, commandVersion).optional(),
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

export const imageSource = z
  .object({
    kind: z.literal('image'),
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    user: z.string().optional(),
    workdir: z.string().optional(),
    volumes: z.array(volumeSchema).default([]),
    init: z.boolean().default(true),
    /** Versions: name → a tag of `image` (or another image); installed = present on the node. */
    versions: z.record(versionName, imageVersion).optional(),
  })
  .strict();

export const composeSource = z
  .object({
    kind: z.literal('compose'),
    /** Path of the compose file; relative to the template file's folder. */
    file: z.string().min(1),
    envFile: z.string().optional(),
    /** The service whose port is the instance's link (first service with ports when absent). */
    service: z.string().optional(),
  })
  .strict();

export const buildSource = z
  .object({
    kind: z.literal('build'),
    /** Folder with the build context (under BERTH_HOME/builds/<id>/). */
    context: z.string().min(1),
    dockerfile: z.string().default('Dockerfile'),
    image: z.string().min(1),
    buildId: z.string().optional(),
  })
  .strict();

/**
 * A service berth does not run: it lives at `address` (a URL, or `host:port`) and berth keeps its
 * config and secrets, lists its ports under that host, links to it and runs its health check.
 */
export const externalSource = z
  .object({
    kind: z.literal('external'),
    address: z
      .string()
      .min(1)
      .refine(
        (v) => parseExternalAddress(v) !== undefined,
        'must be a URL (https://db.example.com) or host:port',
      ),
  })
  .strict();

/** The host (and port, and URL when it is one) of an external address; undefined when not one. */
export function parseExternalAddress(v: string): { host: string; port?: number; url?: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      const u = new URL(v);
      if (!u.hostname) return undefined;
      const port = u.port
        ? Number(u.port)
        : u.protocol === 'https:'
          ? 443
          : u.protocol === 'http:'
            ? 80
            : undefined;
      return { host: u.hostname.replace(/^\[|\]$/g, ''), url: u.toString(), ...(port ? { port } : {}) };
    } catch {
      return undefined;
    }
  }
  const m = /^([a-z0-9.-]+|\[[0-9a-f:]+\]):([0-9]{1,5})$/i.exec(v);
  const port = m ? Number(m[2]) : 0;
  if (!m?.[1] || port < 1 || port > 65535) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
