export { type ClientFactory, clientFactory, type OpenIntegration, timeoutMsOf } from './client-factory.js';
export {
  type FailureReason,
  failureMessage,
  failureReason,
  HttpStatusError,
  TimeoutError,
} from './connection-failure.js';
export { DockerIntegrationClient, dockerEndpointOf, dockerHostKey } from './docker-integration-client.js';
export { defaultLocalNames, hostKey, hostKeyOfUrl, LOCAL_HOST } from './host-key.js';
export {
  importLegacySettings,
  type LegacyImportDeps,
  type LegacyImportResult,
  legacyPlans,
} from './import-legacy-settings.js';
export {
  importServiceRegistry,
  type RegistryEntry,
  type RegistryImportDeps,
  type RegistryImportResult,
} from './import-service-registry.js';
export type { IntegrationClient, ScannedContainer, TestResult } from './integration-client.js';
export { maskedConfig } from './integration-config.js';
export { nextIntegrationName } from './integration-name.js';
export { IntegrationService, type IntegrationServiceDeps } from './integration-service.js';
export {
  type DockerConfig,
  describeIntegrationTypes,
  dockerConfigSchema,
  type IntegrationTypeSpec,
  integrationTypes,
  type KomodoConfig,
  komodoConfigSchema,
  type PortainerConfig,
  portainerConfigSchema,
} from './integration-types.js';
export { type IntegrationView, integrationView } from './integration-view.js';
export { KomodoClient, type KomodoContainer, type KomodoServer } from './komodo-client.js';
export { PortainerClient, type PortainerContainer, type PortainerEndpoint } from './portainer-client.js';
export { describeScanned, ScanPortSource } from './scan-port-source.js';
export { type ScanOutcome, ScanRunner, type ScanRunnerDeps } from './scan-runner.js';
export { ScanScheduler } from './scan-scheduler.js';
export { SecretKeyring } from './secret-keyring.js';
export { isUnchangedSecret, SECRET_MASK } from './secret-mask.js';
export { testConnection } from './test-connection.js';
