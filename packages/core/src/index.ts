// The public surface of @berth/core: what the adapters, the server, the CLI, testkit and the bench
// use, and the types their signatures name. Helpers the core uses only inside itself (the port
// bitmap, the sample ring, the deploy spec's builder, the restart decision, the secret-box
// primitives, the template's part schemas) stay unexported, so a change to them is a change
// inside the core.
export * from './clock.js';
export {
  composePortName,
  composeTemplate,
  moveFixedPorts,
  parseComposeFile,
} from './compose-file.js';
export { composePrimary, composeScaleRefusal } from './compose-replicas.js';
export { type ContainerImage, containerImageOf, containerPortOf } from './container-image.js';
export * from './deployment.js';
export type { BerthErrorCode } from './error-codes.js';
export {
  Conflict,
  type ErrorKind,
  InvalidInput,
  isBerthError,
  NotAllowed,
  NotFound,
  type PortConflict,
  RuntimeUnavailable,
  StorageUnavailable,
  Unauthenticated,
  Unprocessable,
  userMessage,
} from './errors.js';
export * from './event.js';
export * from './event-bus.js';
export {
  EXPORT_FORMATS,
  type ExportFormat,
  exportDeploySpec,
  secretVariable,
  templateExportSpec,
} from './export-spec.js';
export type { HealthProbe, HealthResult, HealthTarget } from './health.js';
export {
  assertTransition,
  type ConfigValue,
  type DesiredState,
  type Health,
  INSTANCE_STATUSES,
  type Instance,
  type InstanceStatus,
} from './instance.js';
export * from './instance-external.js';
export { desiredReplicas } from './instance-replicas.js';
export * from './instance-service.js';
export * from './integration.js';
export * from './keyed-chain.js';
export * from './lease-mirror.js';
export * from './logger.js';
export * from './names.js';
export * from './node.js';
export * from './nodes/local-node-driver.js';
export * from './nodes/node-address.js';
export * from './nodes/node-draft.js';
export * from './nodes/node-driver.js';
export * from './nodes/node-registry.js';
export * from './nodes/node-service.js';
export * from './nodes/node-state.js';
export { bindFailureIn, type FailedBind, PortBindFailed } from './port-bind-failed.js';
export * from './port-lease.js';
export {
  type Allocation,
  defaultLedgerConfig,
  type HandOffOptions,
  type InventoryRow,
  type LeaseForNewOptions,
  type LeaseOwner,
  type LedgerConfig,
  type PinOptions,
  PortLedger,
  type PortMove,
  type PortRef,
  type PortSource,
  type PortView,
  type PreflightOptions,
  type PreflightResult,
  type ReallocateOptions,
  type ReservedRange,
  type ViewReuseOptions,
} from './port-ledger.js';
export * from './reconciler.js';
export * from './replica-stats.js';
export * from './resource-sampler.js';
export * from './runtime.js';
export * from './runtime-resolver.js';
export { assertNoSecretInArgs } from './secret-args.js';
export { maskSecrets, resealSecrets, type SecretBox } from './secret-box.js';
export * from './store.js';
export {
  type ConfigField,
  type HealthCheck,
  type PortSpec,
  parseTemplate,
  primaryHttpPort,
  proxiedPorts,
  type RestartPolicy,
  restartSchema,
  type Template,
  type TemplateInput,
  type TemplateSource,
  templateSchema,
  validateTemplate,
} from './template.js';
export {
  API_ORIGIN,
  fileOrigin,
  formatTemplateOrigin,
  parseTemplateOrigin,
  type TemplateOrigin,
} from './template-origin.js';
export * from './template-service.js';
export { pinnedVersion, versionsOf, withTag } from './template-versions.js';
export * from './time-slices.js';
export type {
  InstallJob,
  NodeImages,
  NodeImagesLookup,
  NodeImagesSource,
  VersionFolders,
} from './version-host.js';
export * from './version-service.js';
