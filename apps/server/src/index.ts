export { adminTokenFile } from './admin-token.js';
export { type Berth, type BerthOptions, createBerth, type ReloadResult } from './berth.js';
export { LocalRuntimeResolver } from './local-runtime-resolver.js';
export { type BerthLogger, createLogger } from './logger.js';
export {
  loadServerConfig,
  type ServerConfig,
  type ServerFlags,
  type ShutdownPolicy,
} from './server-config.js';
export { exitOnSignals, type RunningServer, type StartOptions, startServer } from './start-server.js';
export { hashSecret, TokenService } from './token-service.js';
export { BERTH_VERSION } from './version.js';
