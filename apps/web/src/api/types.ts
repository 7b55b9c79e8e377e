/**
 * Shapes the web UI reads, all from @berth/contracts: one definition for server, CLI and web. The
 * values (SECRET_MASK, DB_KINDS, FINISHED_BUILD_STATUSES) come from its zod-free modules, so no
 * schema is bundled.
 */
export {
  type AddNodeBody,
  type BuildLogLine,
  type BuildRecord,
  type BuildStatus,
  type BuildSummary,
  type CleanupItemView,
  type CleanupPlanView,
  type CleanupResultView,
  type ConnectionTestResult,
  type CreateBuildBody,
  type CreateInstanceBody,
  type CreateIntegrationBody,
  DB_KINDS,
  type DbKind,
  type DeploymentView,
  type DetectionOverrides,
  type DetectResult,
  type EditInstanceBody,
  type EventView as BerthEvent,
  type FailureReason,
  FINISHED_BUILD_STATUSES,
  type FreePortsResult,
  type GcResultView,
  type HostInventory,
  type HostStatsView,
  type InfoView,
  type InstanceStatsView,
  type InstanceView,
  type IntegrationType,
  type IntegrationTypeView,
  type IntegrationView,
  type JsonSchemaProperty,
  type LogLineView,
  NOTIFICATION_KINDS,
  NOTIFICATION_RULES,
  type NodeTestView,
  type NodeView,
  type NotificationChannelBody,
  type NotificationChannelView,
  type NotificationKind,
  type NotificationRule,
  type NotificationRules,
  type NotificationTestResult,
  type OrphanView,
  type PortConflictView,
  type PortInventoryRow,
  type PortLeaseView,
  type PreflightResultView,
  type ReloadResult,
  type ScanOutcome,
  SECRET_MASK,
  /** Who is signed in: `GET /api/v1/session`, never the secret. */
  type SessionView,
  type StatsSampleView as StatsSample,
  type TemplateBody,
  type TemplateVersionNodeView,
  type TemplateVersionView,
  type TemplateView,
} from '@berth/contracts';

import type { CreatedToken, HostStatsView, InstanceView, TemplateView, TokenView } from '@berth/contracts';

export type InstanceStatus = InstanceView['status'];
export type Template = TemplateView['template'];
export type ConfigField = Template['config'][string];
export type ConfigValue = string | number | boolean;
export type InstanceAction = 'start' | 'stop' | 'restart' | 'kill';
export type HostSample = NonNullable<HostStatsView['latest']>;
export type TokenRow = TokenView;
export type CreatedTokenRow = CreatedToken;
