import type { ErrorKind } from '@berth/core';

/**
 * What the builds API answers: a repository's detection, a build's record and its log lines. Plain
 * types and constants, no zod: the server builds these shapes, it does not parse them, and the web UI
 * can import the constants without bundling the schemas.
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

/** The stacks a person may pick in place of the detected one (`dockerfile` is found, never chosen). */
export const STACKS: readonly Exclude<Stack, 'dockerfile'>[] = [
  'node',
  'python',
  'php',
  'go',
  'ruby',
  'java',
  'dotnet',
  'rust',
  'static',
];

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
  /** Whether it is an app berth can run (a start command or a site), not a library. */
  deployable?: boolean;
}

export interface Monorepo {
  /** What declares it: `npm workspaces`, `pnpm-workspace.yaml`, `lerna.json`, or `directories`. */
  tool: string;
  packages: MonorepoPackage[];
  /** The package the detection plans to deploy (asked for, else the only or first deployable one). */
  app?: string;
  /**
   * Where the image is built from, relative to the repository, for an app of another stack than
   * the workspace's (a Python or Go service): its own folder, or `.` when it uses files outside it.
   * Absent: the root (a Node app is built through the workspace).
   */
  context?: string;
}

export interface Unsupported {
  reason: string;
  /** The files that told us what the repository is, e.g. `['mix.exs']`. */
  found: string[];
}

/**
 * What `detect` says about a repository. Everything here is data a person can read and
 * override before anything is built: the evidence says which file made us think so.
 */
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

/** What a person may correct in a detection before it is built. */
export interface DetectionOverrides {
  stack?: Stack | undefined;
  framework?: string | null | undefined;
  /** The port the app listens on inside the container. */
  port?: number | undefined;
  /** The start command, as an argument vector. */
  start?: string[] | undefined;
  healthPath?: string | undefined;
  /** In a monorepo: the app to deploy, by folder (`apps/web`), package name or last folder name. */
  app?: string | undefined;
}

/** The files the plan wrote into the build folder, as text, for a person to read. */
export interface PlanFiles {
  /** Null when the repository's own Dockerfile is used. */
  dockerfile: string | null;
  dockerfilePath: string;
  dockerignore: string;
  compose: string;
}

/** `POST /builds/detect`. */
export interface DetectResult {
  source: string;
  /** The app name to suggest: what the project's manifest calls it (package.json `name`, Cargo.toml, pyproject.toml, go.mod), else the source's folder. */
  name: string;
  detection: Detection;
  /** What would be built, or why nothing can be. */
  plan: PlanFiles | null;
  planError: string | null;
}

export type BuildStatus =
  | 'queued'
  | 'importing'
  | 'detecting'
  | 'building'
  | 'deploying'
  | 'done'
  | 'failed'
  | 'cancelled';

/** The statuses a build does not leave. */
export const FINISHED_BUILD_STATUSES: readonly BuildStatus[] = ['done', 'failed', 'cancelled'];

/** One line of build output, with where the build is: `Step 3/9` of the classic builder. */
export interface BuildProgress {
  /** The step being run (1-based), 0 before the first. */
  step: number;
  totalSteps: number;
  message: string;
  /** `stdout` for the engine's stream, `stderr` for its errors, `system` for berth's own lines. */
  stream: 'stdout' | 'stderr' | 'system';
}

export interface BuildLogLine extends BuildProgress {
  /** Increases by one per line, across redeploys: `?after=<seq>` asks for what is new. */
  seq: number;
  ts: number;
}

export interface BuildError {
  /** The domain error's kind (exit codes and statuses follow it); absent for an unknown failure. */
  kind?: ErrorKind;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** One deploy-from-a-repository: where it came from, how far it got, and what it made. */
export interface BuildRecord {
  id: string;
  /** The app's name: template, instance and image name. */
  name: string;
  /** The git URL or local path, as given. */
  source: string;
  status: BuildStatus;
  databases: DbKind[] | null;
  overrides: DetectionOverrides;
  detection: Detection | null;
  plan: PlanFiles | null;
  /** `berth-build/<name>:<id>`. */
  image: string;
  imageId: string | null;
  /** Base images the build replaced by their local mapping. */
  mappedImages: Record<string, string>;
  step: number;
  totalSteps: number;
  template: string | null;
  instanceId: string | null;
  /** The last lines of import, build and deploy output. */
  logs: BuildLogLine[];
  error: BuildError | null;
  /** How many times it was built (1 + redeploys). */
  attempt: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** The commit a git source's clone checked out (absent on records made before it was kept; null for a folder). */
  commit?: string | null;
}

/** `GET /builds`: a record without its logs, plan and detection, for lists. */
export type BuildSummary = Omit<BuildRecord, 'logs' | 'plan' | 'detection'> & {
  stack: Stack | null;
  framework: string | null;
};
