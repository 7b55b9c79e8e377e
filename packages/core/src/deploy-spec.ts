import type { Instance } from './instance.js';
import type { DeploySpec, ResolvedPort, WaitStrategy } from './runtime.js';
import { openSecrets, type SecretBox } from './secret-box.js';
import type { Template } from './template.js';
import { templateAtVersion } from './template-versions.js';

export interface SpecContext {
  owner: string;
  logDir: string;
  templateDir: string | null;
  /** Opens the instance's sealed config values, for the workload only. */
  secrets?: SecretBox | undefined;
  /** The pinned version's folder (BERTH_HOME/versions/<template>/<version>/), once installed. */
  versionDir?: string | undefined;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` with known values only; anything else (a JS template literal in `node -e`) is left alone. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(VAR, (whole, name: string) => vars[name] ?? whole);
}

/** Variables visible to `${…}` in args and env: ports by env name and `PORT_<NAME>`, config by env name, berth's own. */
export function specVariables(
  template: Template,
  instance: Instance,
  ports: Record<string, number>,
): Record<string, string> {
  const vars: Record<string, string> = {
    BERTH_INSTANCE: instance.name,
    BERTH_INSTANCE_ID: instance.id,
    BERTH_TEMPLATE: template.name,
    BERTH_DATA_DIR: instance.dataDir,
  };
  for (const p of template.ports) {
    const port = ports[p.name];
    if (port === undefined) continue;
    vars[`PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(port);
    if (p.env) vars[p.env] = String(port);
  }
  for (const [key, field] of Object.entries(template.config)) {
    const v = instance.config[key];
    if (v === undefined) continue;
    vars[`CONFIG_${key.toUpperCase().replace(/-/g, '_')}`] = String(v);
    if (field.env) vars[field.env] = String(v);
  }
  return vars;
}

function configArgs(template: Template, instance: Instance): string[] {
  const args: string[] = [];
  for (const [key, field] of Object.entries(template.config)) {
    const v = instance.config[key];
    if (!field.arg || v === undefined) continue;
    if (field.type === 'boolean') {
      if (v === true) args.push(field.arg);
    } else args.push(field.arg, String(v));
  }
  return args;
}

export function readinessFor(template: Template, ports: Record<string, number>): WaitStrategy {
  const r = template.readiness;
  const portOf = (name: string | undefined) => (name ? ports[name] : undefined);
  if (r) {
    if (r.kind === 'none') return { kind: 'none' };
    if (r.kind === 'log') return { kind: 'log', pattern: r.pattern ?? '' };
    if (r.kind === 'health') return { kind: 'health' };
    const port = portOf(r.port ?? template.ports[0]?.name);
    if (port === undefined) return { kind: 'none' };
    return r.kind === 'http' ? { kind: 'http', port, path: r.path ?? '/' } : { kind: 'port', port };
  }
  const h = template.health;
  if (h?.http) {
    const port = portOf(h.http.port);
    if (port !== undefined) {
      return h.http.expectStatus === undefined
        ? { kind: 'http', port, path: h.http.path }
        : { kind: 'http', port, path: h.http.path, expectStatus: h.http.expectStatus };
    }
  }
  if (h?.tcp) {
    const port = portOf(h.tcp.port);
    if (port !== undefined) return { kind: 'port', port };
  }
  const first = template.ports.find((p) => p.protocol === 'tcp');
  const port = portOf(first?.name);
  return port === undefined ? { kind: 'none' } : { kind: 'port', port };
}

/**
 * Template + instance + leased ports → the runtime's neutral deploy spec. Pure. Sealed config
 * values are opened here, and only here: the spec goes to the runtime, never into an answer.
 */
export function buildDeploySpec(
  declared: Template,
  sealed: Instance,
  ports: Record<string, number>,
  ctx: SpecContext,
): DeploySpec {
  // The pinned version's command, args or image in place of the template's own.
  const template = templateAtVersion(declared, sealed, ctx.versionDir);
  const instance: Instance = { ...sealed, config: openSecrets(sealed.config, ctx.secrets) };
  const vars = specVariables(template, instance, ports);
  if (ctx.versionDir !== undefined) vars.BERTH_VERSION_DIR = ctx.versionDir;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(template.env)) env[k] = substitute(v, vars);
  // The instance's own additions (`berth edit --env`) over the template's; berth's variables win.
  for (const [k, v] of Object.entries(instance.env ?? {})) env[k] = substitute(v, vars);
  Object.assign(env, vars);
  const resolved: ResolvedPort[] = template.ports.map((p) => ({
    name: p.name,
    hostPort: ports[p.name]!,
    containerPort: p.containerPort ?? null,
    protocol: p.protocol,
  }));
  return {
    instanceId: instance.id,
    instanceName: instance.name,
    template: template.name,
    node: instance.node,
    owner: ctx.owner,
    dataDir: instance.dataDir,
    logDir: ctx.logDir,
    source: template.source,
    ...commandOf(template, instance, vars),
    env,
    ports: resolved,
    labels: labelsOf(template, instance, ctx.owner),
    readiness: readinessFor(template, ports),
    readinessTimeoutMs: (template.readiness?.timeoutSeconds ?? 30) * 1000,
    stopTimeoutMs: template.stopTimeoutSeconds * 1000,
    resources: template.resources,
    replicas: instance.replicas ?? template.replicas,
    templateDir: ctx.templateDir,
    secretEnv: secretEnvOf(template),
    ...(template.health ? { health: template.health } : {}),
    ...(template.data ? { data: template.data } : {}),
    ...restartOf(template, instance),
  };
}

/** The instance's own restart policy, else its template's. */
function restartOf(template: Template, instance: Instance): Pick<DeploySpec, 'restart'> {
  const restart = instance.restart ?? template.restart;
  return restart ? { restart } : {};
}

/**
 * The env entries that carry a secret config value: the field's own variable, its CONFIG_<KEY>
 * and every template env entry built from either, so a runtime can keep each out of plain env.
 */
function secretEnvOf(template: Template): string[] {
  const names = new Set<string>();
  for (const [key, field] of Object.entries(template.config)) {
    if (!field.secret) continue;
    names.add(`CONFIG_${key.toUpperCase().replace(/-/g, '_')}`);
    if (field.env) names.add(field.env);
  }
  const direct = [...names];
  for (const [k, v] of Object.entries(template.env)) {
    if (direct.some((n) => v.includes(`\${${n}}`))) names.add(k);
  }
  return [...names].sort();
}

/**
 * What to run and where: a command template's command (its version's, see templateAtVersion), an image's own
 * command override; config values given as flags follow the template's args.
 */
function commandOf(
  template: Template,
  instance: Instance,
  vars: Record<string, string>,
): Pick<DeploySpec, 'command' | 'cwd'> {
  const src = template.source;
  if (src.kind === 'command') {
    const exe = src.command;
    const args = src.args.map((a) => substitute(a, vars));
    const cwd = !src.cwd
      ? instance.dataDir
      : src.cwd.startsWith('/')
        ? src.cwd
        : `${instance.dataDir}/${src.cwd}`;
    return { command: [exe, ...args, ...configArgs(template, instance)], cwd };
  }
  if (src.kind === 'image' && src.command) {
    const command = [...src.command.map((a) => substitute(a, vars)), ...configArgs(template, instance)];
    return { command, cwd: instance.dataDir };
  }
  return { command: [], cwd: instance.dataDir };
}

/** The labels that find a workload again after a restart of berth: its owner and instance. */
function labelsOf(template: Template, instance: Instance, owner: string): Record<string, string> {
  return {
    'berth.managed': 'true',
    'berth.owner': owner,
    'berth.instance': instance.name,
    'berth.instance-id': instance.id,
    'berth.template': template.name,
    'berth.node': instance.node,
  };
}
