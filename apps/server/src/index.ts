export { type Berth, type BerthOptions, createBerth, type ReloadResult } from './berth.js';
export type { BerthLogger } from './logger.js';
export {
  loadServerConfig,
  type ServerConfig,
  type ServerFlags,
  type ShutdownPolicy,
} from './server-config.js';
export { exitOnSignals, type RunningServer, type StartOptions, startServer } from './start-server.js';
