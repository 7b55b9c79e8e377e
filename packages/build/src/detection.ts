/**
 * What `detect` says about a repository. Everything here is data a person can read and
 * override before anything is built: the evidence says which file made us think so.
 */

export type Stack =
  | 'node'
  | 'python'
  | 'php'
  | 'go'
  | 'ruby'
  | 'java'
  | 'dotnet'
  | 'rust'
  | 'static'
  | 'dockerfile';

export type DbKind = 'postgres' | 'mysql' | 'mongodb' | 'redis';

export const DB_KINDS: readonly DbKind[] = ['postgres', 'mysql', 'mongodb', 'redis'];

/**
 * A command as an argument vector, never a shell string: it goes into exec-form (JSON) Dockerfile
 * instructions as-is. When a shell is needed (to expand `$PORT`), the vector says so:
 * `['sh', '-c', 'exec …']`.
 */
export type Command = readonly string[];

export interface Evidence {
  /** Path relative to the repository root. */
  file: string;
  reason: string;
}

export interface DockerfileInfo {
  path: string;
  /** Base images, one per stage, in order. */
  from: string[];
  /** EXPOSEd container ports of the final stage. */
  exposedPorts: number[];
  /** The final CMD, exec form; a shell-form CMD becomes `['/bin/sh', '-c', line]`, as Docker does. */
  cmd: string[] | null;
  entrypoint: string[] | null;
}

export interface MonorepoPackage {
  path: string;
  stack: Stack | null;
  framework: string | null;
}

export interface Monorepo {
  /** What declares it: `npm workspaces`, `pnpm-workspace.yaml`, `lerna.json`, or `directories`. */
  tool: string;
  packages: MonorepoPackage[];
}

export interface Unsupported {
  reason: string;
  /** The files that told us what the repository is, e.g. `['mix.exs']`. */
  found: string[];
}

export interface Detection {
  /** `null` when nothing deployable was recognised; then `unsupported` or `monorepo` says why. */
  stack: Stack | null;
  framework: string | null;
  /** 0–100: how sure the winning detector is, lowered when another stack came close. */
  confidence: number;
  evidence: Evidence[];
  packageManager: string | null;
  /** A bare version (`20`, `3.12`, `1.22`); always matches /^\d+(\.\d+){0,2}$/. */
  runtimeVersion: string | null;
  install: Command[];
  build: Command[];
  start: Command | null;
  /** The port the app listens on inside the container. */
  port: number;
  /** True when the app (or the planned start command) listens on `$PORT`. */
  portFromEnv: boolean;
  healthPath: string;
  databases: DbKind[];
  /** For sites and frontends whose build emits static files: the directory to serve. */
  staticDir: string | null;
  /** Things a person should know before deploying (e.g. "Fastify listens on 127.0.0.1 by default"). */
  notes: string[];
  dockerfile?: DockerfileInfo;
  monorepo?: Monorepo;
  unsupported?: Unsupported;
}
