import { request } from './http';
import type {
  AddNodeBody,
  BerthEvent,
  CreateInstanceBody,
  DeploymentView,
  FreePortsResult,
  HostStats,
  InfoView,
  InstanceAction,
  InstanceView,
  LogLineView,
  NodeTestResult,
  NodeView,
  PortInventoryRow,
  PreflightResultView,
  StatsSample,
  TemplateView,
} from './types';

const id = (s: string) => encodeURIComponent(s);

/** The stats endpoint may answer a bare list or `{ samples }`; the UI wants the list. */
function samplesOf(body: StatsSample[] | { samples?: StatsSample[] }): StatsSample[] {
  return Array.isArray(body) ? body : (body.samples ?? []);
}

function eventsOf(body: BerthEvent[] | { events?: BerthEvent[] }): BerthEvent[] {
  return Array.isArray(body) ? body : (body.events ?? []);
}

/** Host stats may come as the latest sample or with history: `{ current | latest, history }`. */
function hostOf(body: HostStats | { current?: HostStats; latest?: HostStats }): HostStats | null {
  if ('cpuPercent' in body) return body;
  return body.current ?? body.latest ?? null;
}

/** Every call the UI makes, typed; failures throw ApiError with the server's code and message. */
export const api = {
  info: () => request<InfoView>('GET', '/info'),
  checkToken: (token: string) => request<InfoView>('GET', '/info', { token }),

  templates: () => request<TemplateView[]>('GET', '/templates'),
  template: (name: string) => request<TemplateView>('GET', `/templates/${id(name)}`),

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
  logs: (key: string, query: { tail?: number; since?: number }) =>
    request<LogLineView[]>('GET', `/instances/${id(key)}/logs`, { query }),
  stats: async (key: string, since?: number) =>
    samplesOf(await request<StatsSample[]>('GET', `/instances/${id(key)}/stats`, { query: { since } })),

  hostStats: async () => hostOf(await request<HostStats>('GET', '/host/stats')),
  events: async (query: { instance?: string; since?: number; limit?: number } = {}) =>
    eventsOf(await request<BerthEvent[]>('GET', '/events', { query })),

  ports: (host = 'local') => request<PortInventoryRow[]>('GET', '/ports', { query: { host } }),
  freePorts: (query: { host?: string; count?: number; from?: number; to?: number; protocol?: string }) =>
    request<FreePortsResult>('GET', '/ports/free', { query }),

  nodes: () => request<NodeView[]>('GET', '/nodes'),
  addNode: (body: AddNodeBody) => request<NodeView>('POST', '/nodes', { body }),
  testNode: (name: string) => request<NodeTestResult>('POST', `/nodes/${id(name)}/test`),
};
