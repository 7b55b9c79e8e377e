import { request } from './http';
import type {
  AddNodeBody,
  BerthEvent,
  CreateInstanceBody,
  DeploymentView,
  FreePortsResult,
  HostStatsView,
  InfoView,
  InstanceAction,
  InstanceStatsView,
  InstanceView,
  LogLineView,
  NodeTestResult,
  NodeView,
  PortInventoryRow,
  PreflightResultView,
  TemplateView,
} from './types';

const id = (s: string) => encodeURIComponent(s);

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
    (await request<InstanceStatsView>('GET', `/instances/${id(key)}/stats`, { query: { since } })).samples,

  hostStats: (since?: number) => request<HostStatsView>('GET', '/host/stats', { query: { since } }),
  events: (query: { instance?: string; after?: number; limit?: number } = {}) =>
    request<BerthEvent[]>('GET', '/events', { query }),

  ports: (host = 'local') => request<PortInventoryRow[]>('GET', '/ports', { query: { host } }),
  freePorts: (query: { host?: string; count?: number; from?: number; to?: number; protocol?: string }) =>
    request<FreePortsResult>('GET', '/ports/free', { query }),

  nodes: () => request<NodeView[]>('GET', '/nodes'),
  addNode: (body: AddNodeBody) => request<NodeView>('POST', '/nodes', { body }),
  testNode: (name: string) => request<NodeTestResult>('POST', `/nodes/${id(name)}/test`),
};
