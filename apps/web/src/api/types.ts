/**
 * Shapes the web UI reads, from @berth/contracts (types only: nothing of it is bundled). The node
 * endpoints of the Docker issue are typed from the text until their schemas land.
 */
export type {
  CreateInstanceBody,
  DeploymentView,
  EventView as BerthEvent,
  FreePortsResult,
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
