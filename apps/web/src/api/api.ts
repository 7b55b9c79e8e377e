import type { PortSettingsBody, PortSettingsView } from '@berth/contracts';
import type { Role } from '../lib/roles';
import { request } from './http';
import type {
  AddNodeBody,
  BerthEvent,
  BuildRecord,
  BuildSummary,
  CleanupPlanView,
  CleanupResultView,
  ConnectionTestResult,
  CreateBuildBody,
  CreatedTokenRow,
  CreateInstanceBody,
  CreateIntegrationBody,
  DeploymentView,
  DetectResult,
  EditInstanceBody,
  FreePortsResult,
  GcResultView,
  HostInventory,
  HostStatsView,
  InfoView,
  InstanceAction,
  InstanceStatsView,
  InstanceView,
  IntegrationTypeView,
  IntegrationView,
  LogLineView,
  NodeTestView,
  NodeView,
  NotificationChannelBody,
  NotificationChannelView,
  NotificationTestResult,
  OrphanView,
  PortInventoryRow,
  PortLeaseView,
  PreflightResultView,
  ReloadResult,
  ScanOutcome,
  SessionView,
  TemplateBody,
  TemplateVersionView,
  TemplateView,
  TokenRow,
} from './types';

const id = (s: string) => encodeURIComponent(s);

/** The samples since `since`, and whether they are whole, partial or n/a, with each replica's share. */
const statsView = (key: string, since?: number) =>
  request<InstanceStatsView>('GET', `/instances/${id(key)}/stats`, { query: { since } });

/** Every call the UI makes, typed; failures throw ApiError with the server's code and message. */
export const api = {
  info: () => request<InfoView>('GET', '/info'),

  /** Who the session cookie belongs to; 401 when there is none or it no longer works. */
  session: () => request<SessionView>('GET', '/session', { quiet401: true }),
  /** The server checks the token and answers with an HttpOnly cookie: the token stays out of reach of scripts. */
  signIn: (token: string) => request<SessionView>('POST', '/session', { body: { token }, quiet401: true }),
  signOut: () => request<void>('DELETE', '/session', { quiet401: true }),

  tokens: () => request<TokenRow[]>('GET', '/tokens'),
  createToken: (name: string, role: Role) =>
    request<CreatedTokenRow>('POST', '/tokens', { body: { name, role } }),
  revokeToken: (tokenId: string) => request<void>('DELETE', `/tokens/${id(tokenId)}`),

  templates: () => request<TemplateView[]>('GET', '/templates'),
  template: (name: string) => request<TemplateView>('GET', `/templates/${id(name)}`),
  createTemplate: (body: TemplateBody) => request<TemplateView>('POST', '/templates', { body }),
  updateTemplate: (name: string, body: TemplateBody) =>
    request<TemplateView>('PUT', `/templates/${id(name)}`, { body }),
  removeTemplate: (name: string) => request<void>('DELETE', `/templates/${id(name)}`),
  /** Reads the templates folder again. */
  reloadTemplates: () => request<ReloadResult>('POST', '/templates/reload'),
  /** A template's versions: installed or not, which instances use each. */
  templateVersions: (name: string) =>
    request<TemplateVersionView[]>('GET', `/templates/${id(name)}/versions`),
  installVersion: (name: string, version: string, node = 'local') =>
    request<TemplateVersionView>('POST', `/templates/${id(name)}/versions/${id(version)}/install`, {
      query: { node },
    }),
  removeVersion: (name: string, version: string) =>
    request<void>('DELETE', `/templates/${id(name)}/versions/${id(version)}`),

  instances: (query: { template?: string } = {}) => request<InstanceView[]>('GET', '/instances', { query }),
  instance: (key: string) => request<InstanceView>('GET', `/instances/${id(key)}`),
  createInstance: (body: CreateInstanceBody) => request<InstanceView>('POST', '/instances', { body }),
  act: (key: string, action: InstanceAction) =>
    request<InstanceView>('POST', `/instances/${id(key)}/${action}`),
  remove: (key: string) => request<void>('DELETE', `/instances/${id(key)}`),
  preflight: (key: string) => request<PreflightResultView>('GET', `/instances/${id(key)}/preflight`),
  overridePort: (key: string, name: string, port: number) =>
    request<InstanceView>('POST', `/instances/${id(key)}/port-override`, { body: { name, port } }),
  deployments: (key: string) => request<DeploymentView[]>('GET', `/instances/${id(key)}/deployments`),
  /** Stores the edit; `apply` redeploys a running instance with it now. */
  editInstance: (key: string, body: EditInstanceBody, apply: boolean) =>
    request<InstanceView>('PATCH', `/instances/${id(key)}`, { body, query: apply ? { apply: 1 } : {} }),
  applyInstance: (key: string) => request<InstanceView>('POST', `/instances/${id(key)}/apply`),
  rollback: (key: string, deployment: string) =>
    request<InstanceView>('POST', `/instances/${id(key)}/rollback`, { body: { deployment } }),
  logs: (key: string, query: { tail?: number; since?: number }) =>
    request<LogLineView[]>('GET', `/instances/${id(key)}/logs`, { query }),
  statsView,
  stats: async (key: string, since?: number) => (await statsView(key, since)).samples,

  hostStats: (since?: number) => request<HostStatsView>('GET', '/host/stats', { query: { since } }),
  events: (query: { instance?: string; after?: number; limit?: number } = {}) =>
    request<BerthEvent[]>('GET', '/events', { query }),

  ports: (host = 'local') => request<PortInventoryRow[]>('GET', '/ports', { query: { host } }),
  portsAllHosts: () => request<HostInventory[]>('GET', '/ports', { query: { allHosts: 1 } }),
  reservePort: (body: { host: string; port: number; note: string; protocol: 'tcp' | 'udp' }) =>
    request<PortLeaseView>('POST', '/ports/reservations', { body }),
  releasePort: (host: string, port: number, protocol: 'tcp' | 'udp') =>
    request<void>('DELETE', `/ports/reservations/${port}`, { query: { host, protocol } }),
  /** Workloads with this installation's markers and no record. */
  orphans: () => request<OrphanView[]>('GET', '/orphans'),
  /** Removes the orphans found now; `dryRun` only lists what would go. */
  gc: (dryRun: boolean) => request<GcResultView>('POST', '/gc', { body: { dryRun } }),
  /** What berth cleanup would remove: orphaned workloads, folders and leases of no instance. */
  cleanup: () => request<CleanupPlanView>('GET', '/cleanup'),
  /** Removes exactly the items named (keys of `cleanup()`) that are still to remove. */
  runCleanup: (items: string[]) => request<CleanupResultView>('POST', '/cleanup', { body: { items } }),
  freePorts: (query: { host?: string; count?: number; from?: number; to?: number; protocol?: string }) =>
    request<FreePortsResult>('GET', '/ports/free', { query }),
  /** The global and reserved ranges in force (admin). */
  portSettings: () => request<PortSettingsView>('GET', '/settings/ports'),
  /** Replaces them for the next lease; `null` goes back to the environment's or the default. */
  savePortSettings: (body: PortSettingsBody) => request<PortSettingsView>('PUT', '/settings/ports', { body }),

  nodes: () => request<NodeView[]>('GET', '/nodes'),
  addNode: (body: AddNodeBody) => request<NodeView>('POST', '/nodes', { body }),
  testNode: (name: string) => request<NodeTestView>('POST', `/nodes/${id(name)}/test`),
  /** Tries a node not added yet, with the add's body; nothing is saved. */
  testNodeDraft: (body: AddNodeBody) => request<NodeTestView>('POST', '/nodes/test', { body }),
  removeNode: (name: string) => request<void>('DELETE', `/nodes/${id(name)}`),

  integrationTypes: () => request<IntegrationTypeView[]>('GET', '/integrations/types'),
  integrations: () => request<IntegrationView[]>('GET', '/integrations'),
  createIntegration: (body: CreateIntegrationBody) =>
    request<IntegrationView>('POST', '/integrations', { body }),
  updateIntegration: (key: string, body: Omit<CreateIntegrationBody, 'type'>) =>
    request<IntegrationView>('PUT', `/integrations/${id(key)}`, { body }),
  removeIntegration: (key: string) => request<void>('DELETE', `/integrations/${id(key)}`),
  /** Tests a config not saved yet; with `key`, masked secrets stand for that integration's. */
  testIntegrationDraft: (body: CreateIntegrationBody, key?: string) =>
    request<ConnectionTestResult>('POST', '/integrations/test', { body, query: { id: key } }),
  scanIntegration: (key: string) => request<ScanOutcome>('POST', `/integrations/${id(key)}/scan`),

  /** Channels come with their secrets as `••••`; a `••••` sent back keeps the stored one. */
  notificationChannels: () => request<NotificationChannelView[]>('GET', '/notifications/channels'),
  createNotificationChannel: (body: NotificationChannelBody) =>
    request<NotificationChannelView>('POST', '/notifications/channels', { body }),
  updateNotificationChannel: (name: string, body: NotificationChannelBody) =>
    request<NotificationChannelView>('PUT', `/notifications/channels/${id(name)}`, { body }),
  removeNotificationChannel: (name: string) => request<void>('DELETE', `/notifications/channels/${id(name)}`),
  /** Queued: the channel's last delivery or last failure tells how it went. */
  testNotificationChannel: (name: string) =>
    request<NotificationTestResult>('POST', `/notifications/channels/${id(name)}/test`),

  detectBuild: (source: string) => request<DetectResult>('POST', '/builds/detect', { body: { source } }),
  builds: () => request<BuildSummary[]>('GET', '/builds'),
  redeployBuild: (buildId: string) => request<BuildRecord>('POST', `/builds/${id(buildId)}/redeploy`),
  createBuild: (body: CreateBuildBody) => request<BuildRecord>('POST', '/builds', { body }),
  /** The record with only the log lines after `after`. */
  build: (buildId: string, after?: number) =>
    request<BuildRecord>('GET', `/builds/${id(buildId)}`, { query: { after } }),
  cancelBuild: (buildId: string) => request<BuildRecord>('POST', `/builds/${id(buildId)}/cancel`),
};
