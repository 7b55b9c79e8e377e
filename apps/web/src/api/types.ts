/**
 * Shapes the web UI reads, from @berth/contracts (types only: nothing of it is bundled). Nodes,
 * integrations and builds are typed from their packages (runtime-docker, integrations, build)
 * until @berth/contracts carries their schemas.
 */
export type {
  CreateInstanceBody,
  DeploymentView,
  EventView as BerthEvent,
  FreePortsResult,
  HostInventory,
  HostStatsView,
  InfoView,
  InstanceStatsView,
  InstanceView,
  LogLineView,
  NodeView,
  PortConflictView,
  PortInventoryRow,
  PreflightResultView,
  StatsSampleView as StatsSample,
  TemplateView,
} from '@berth/contracts';

import type { HostStatsView, InstanceView, TemplateView } from '@berth/contracts';

export type InstanceStatus = InstanceView['status'];
export type Template = TemplateView['template'];
export type ConfigField = Template['config'][string];
export type ConfigValue = string | number | boolean;
export type InstanceAction = 'start' | 'stop' | 'restart' | 'kill';
export type HostSample = NonNullable<HostStatsView['latest']>;

/**
 * What the form sends to add a remote Docker host (issue 4: `POST /nodes`), in the shape
 * @berth/runtime-docker's DockerNodeConfig validates: an endpoint URL, certificate or key *files*
 * on the server's machine (paths, never key text).
 */
export interface AddNodeBody {
  name: string;
  kind: 'docker';
  config: {
    /** `tcp://10.0.0.5:2375`, `tcp://host:2376` with `tls`, `ssh://user@host[:22]`. */
    endpoint: string;
    tls?: { ca: string; cert: string; key: string };
    certPath?: string;
    sshKey?: string;
  };
}

/** Why a connection failed, in one word (the same words for nodes and integrations). */
export type FailureReason =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'timeout'
  | 'unknown';

/** The answer of a connection test: version and latency, or a specific reason and a sentence. */
export type ConnectionTestResult =
  | { ok: true; version?: string; latencyMs: number }
  | { ok: false; reason: FailureReason; message: string };

/** A node's test; older servers may answer `{ error }` instead. */
export type NodeTestResult = Partial<{
  ok: boolean;
  version: string;
  latencyMs: number;
  reason: FailureReason;
  error: string;
  message: string;
}>;

// Integrations (issue 9), as @berth/integrations' README and IntegrationView describe them.

export type IntegrationType = 'docker' | 'portainer' | 'komodo';

/** What every response shows for a stored secret: set, never its value; sent back, it keeps it. */
export const SECRET_MASK = '••••';

export interface IntegrationView {
  id: string;
  name: string;
  type: IntegrationType;
  enabled: boolean;
  autoDetect: boolean;
  scanIntervalSeconds: number;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastScanAt: number | null;
  lastScanError: string | null;
  lastScanStatus: 'ok' | 'error' | null;
  scanning: boolean;
  containerCount: number;
  portCount: number;
  hosts: string[];
}

/** One property of a type's config, as JSON Schema (`z.toJSONSchema`, io: input). */
export interface JsonSchemaProperty {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  title?: string;
  description?: string;
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  const?: unknown;
  enum?: unknown[];
  writeOnly?: boolean;
  'x-secret'?: boolean;
  anyOf?: JsonSchemaProperty[];
  items?: JsonSchemaProperty;
}

export interface IntegrationTypeView {
  type: IntegrationType;
  label: string;
  description: string;
  secretFields: string[];
  configSchema: { type: 'object'; properties: Record<string, JsonSchemaProperty>; required?: string[] };
}

export interface IntegrationBody {
  name?: string;
  type: IntegrationType;
  enabled?: boolean;
  autoDetect?: boolean;
  scanIntervalSeconds?: number;
  config?: Record<string, unknown>;
}

export type ScanOutcome =
  | { ok: true; containers: number; ports: number; at: number }
  | { ok: false; reason: FailureReason; message: string; at: number };

// Deploy from a repository (issue 8), as @berth/build's Detection and BuildRecord describe them.

export type DbKind = 'postgres' | 'mysql' | 'mongodb' | 'redis';
export const DB_KINDS: readonly DbKind[] = ['postgres', 'mysql', 'mongodb', 'redis'];

export interface Detection {
  stack: string | null;
  framework: string | null;
  confidence: number;
  evidence: { file: string; reason: string }[];
  packageManager: string | null;
  runtimeVersion: string | null;
  install: string[][];
  build: string[][];
  start: string[] | null;
  port: number;
  portFromEnv: boolean;
  healthPath: string;
  databases: DbKind[];
  staticDir: string | null;
  notes: string[];
  dockerfile?: { path: string; from: string[]; exposedPorts: number[]; cmd: string[] | null };
  monorepo?: { tool: string; packages: { path: string; stack: string | null; framework: string | null }[] };
  unsupported?: { reason: string; found: string[] };
}

export interface DetectResult {
  source: string;
  name: string;
  detection: Detection;
  plan: { dockerfile: string | null; dockerfilePath: string; dockerignore: string; compose: string } | null;
  planError: string | null;
}

export interface DetectionOverrides {
  port?: number;
  start?: string[];
  healthPath?: string;
}

export interface CreateBuildBody {
  source: string;
  name?: string;
  databases?: DbKind[];
  overrides?: DetectionOverrides;
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

export const FINISHED_BUILD: readonly BuildStatus[] = ['done', 'failed', 'cancelled'];

export interface BuildLogLine {
  seq: number;
  ts: number;
  step: number;
  totalSteps: number;
  message: string;
  stream: 'stdout' | 'stderr' | 'system';
}

export interface BuildRecord {
  id: string;
  name: string;
  source: string;
  status: BuildStatus;
  databases: DbKind[] | null;
  detection: Detection | null;
  image: string;
  step: number;
  totalSteps: number;
  template: string | null;
  instanceId: string | null;
  logs: BuildLogLine[];
  error: { kind?: string; code: string; message: string; details?: Record<string, unknown> } | null;
  attempt: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}
