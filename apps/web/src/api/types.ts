/**
 * Shapes the web UI reads. Those the server already publishes come from @berth/contracts (types
 * only, nothing of it is bundled); the observe and node endpoints are typed from the issues' text
 * until their schemas land in contracts.
 */
export type {
  CreateInstanceBody,
  DeploymentView,
  FreePortsResult,
  InfoView,
  InstanceView,
  LogLineView,
  NodeView,
  PortConflictView,
  PortInventoryRow,
  PreflightResultView,
  TemplateView,
} from '@berth/contracts';

import type { InstanceView, TemplateView } from '@berth/contracts';

export type InstanceStatus = InstanceView['status'];
export type Template = TemplateView['template'];
export type ConfigField = Template['config'][string];
export type ConfigValue = string | number | boolean;
export type InstanceAction = 'start' | 'stop' | 'restart' | 'kill';

/** One resource sample (issue 5: `GET /instances/:id/stats?since=`). */
export interface StatsSample {
  ts: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryPercent: number;
  diskBytes: number | null;
}

/** This machine's totals (issue 5: `GET /host/stats`). */
export interface HostStats {
  ts?: number;
  cpuPercent: number;
  cpuCount?: number;
  memoryBytes: number;
  memoryTotalBytes?: number;
  memoryPercent: number;
  load1?: number;
}

/** One entry of the event feed (issue 5: `GET /events?instance=&since=`). */
export interface BerthEvent {
  id: number;
  ts: number;
  type: string;
  instanceId: string | null;
  instanceName: string | null;
  message: string;
  data?: Record<string, unknown>;
}

/** What the form sends to add a remote Docker host (issue 4: `POST /nodes`). */
export interface AddNodeBody {
  name: string;
  kind: 'docker';
  host: string;
  config: {
    endpoint:
      | { kind: 'tcp'; host: string; port: number; tls?: { ca: string; cert: string; key: string } }
      | { kind: 'ssh'; host: string; port?: number; username?: string };
  };
}

/** The answer of a connection test (issue 4: version and latency, or a specific error). */
export interface NodeTestResult {
  ok?: boolean;
  version?: string;
  latencyMs?: number;
  error?: string;
  message?: string;
}
