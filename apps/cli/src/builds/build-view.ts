/** What the CLI reads of the builds API (BuildService's records and detections). */

export interface EvidenceView {
  file: string;
  reason: string;
}

export interface DetectionView {
  stack: string | null;
  framework: string | null;
  confidence: number;
  evidence: EvidenceView[];
  packageManager: string | null;
  runtimeVersion: string | null;
  install: string[][];
  build: string[][];
  start: string[] | null;
  port: number;
  portFromEnv: boolean;
  healthPath: string;
  databases: string[];
  staticDir: string | null;
  notes: string[];
  dockerfile?: { path: string };
  monorepo?: { tool: string; packages: { path: string; stack: string | null }[] };
  unsupported?: { reason: string; found: string[] };
}

export interface DetectView {
  source: string;
  name: string;
  detection: DetectionView;
  plan: { dockerfile: string | null; dockerfilePath: string } | null;
  planError: string | null;
}

export interface BuildLogView {
  seq: number;
  ts: number;
  step: number;
  totalSteps: number;
  message: string;
  stream: 'stdout' | 'stderr' | 'system';
}

export interface BuildView {
  id: string;
  name: string;
  source: string;
  status: 'queued' | 'importing' | 'detecting' | 'building' | 'deploying' | 'done' | 'failed' | 'cancelled';
  image: string;
  step: number;
  totalSteps: number;
  instanceId: string | null;
  detection: DetectionView | null;
  logs: BuildLogView[];
  error: { kind?: string; code: string; message: string; details?: Record<string, unknown> } | null;
}

export const FINISHED_STATUSES: readonly BuildView['status'][] = ['done', 'failed', 'cancelled'];
