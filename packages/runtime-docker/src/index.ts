export {
  type BaseImagesSetting,
  loadBaseImages,
  parseBaseImages,
} from './base-images-setting.js';
export { isBerthManaged, LABEL } from './berth-labels.js';
export { type ComposeCandidate, ComposeCli, composeCandidates } from './compose-cli.js';
export { type ComposeExportOptions, composeFile } from './compose-export.js';
export { type ComposeFolder, readComposeFolder } from './compose-folder.js';
export { COMPOSE_LABEL, COMPOSE_RUNTIME, composeProjectName } from './compose-project.js';
export { ComposeRuntime, type ComposeRuntimeOptions } from './compose-runtime.js';
export {
  type ConnectOptions,
  connectDocker,
  type DockerEndpoint,
  type DockerTls,
  describeEndpoint,
  dockerOptions,
} from './connect-docker.js';
export {
  type DockerNode,
  type DockerNodeOptions,
  openLocalDocker,
  openRemoteDockerNode,
} from './docker-node.js';
export {
  type DockerNodeConfig,
  dockerHostOf,
  dockerNodeEndpoint,
  parseDockerNodeConfig,
  parseHostKey,
  tlsFiles,
} from './docker-node-config.js';
export { dockerNodeDriver } from './docker-node-driver.js';
export { DockerNodeImages } from './docker-node-images.js';
export { DockerPortSource, type DockerPortSourceOptions } from './docker-port-source.js';
export { DockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
export { type DockerSettings, readDockerSettings, type SshSettings } from './docker-settings.js';
export {
  defaultStrategies,
  type EndpointContext,
  type EndpointStrategy,
  type FoundDockerEndpoint,
  findDockerEndpoint,
  parseDockerHost,
} from './find-docker-endpoint.js';
export { type BaseImageMap, mappedImage } from './image-resolver.js';
export { type NodeAddress, nodeAddress, parsePublicAddress, urlHost } from './node-address.js';
export { DOCKER_RUNTIME } from './observed-workload.js';
export { type DockerAdapter, openDocker } from './open-docker.js';
export {
  fingerprintOf,
  type KnownHostKey,
  knownHostKeys,
  knownHostsFile,
  normalizeFingerprint,
} from './ssh-host-key.js';
export {
  type HostKeyTrust,
  type SeenHostKey,
  type SshHostKeyPolicy,
  SshHostTrust,
} from './ssh-host-trust.js';
export { type PublishMode, SWARM_RUNTIME } from './swarm/service-spec.js';
export { type StackFileOptions, stackFile, stackSecretName } from './swarm/stack-file.js';
export { parseSwarmNodeConfig, type SwarmNodeConfig, swarmNodeDriver } from './swarm/swarm-node-driver.js';
export { SwarmPortSource } from './swarm/swarm-port-source.js';
export { SwarmRuntime, type SwarmRuntimeOptions } from './swarm/swarm-runtime.js';
export { testSwarm } from './swarm/test-swarm.js';
export { type DockerTestFailure, type DockerTestResult, testDocker } from './test-docker.js';
