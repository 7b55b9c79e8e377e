/** One install step to run: the version's argv, in its folder. */
export interface InstallJob {
  template: string;
  version: string;
  /** Argument array (a template's shell line arrives as `sh -c <line>`). */
  command: string[];
  /** Told each line of the step's output (stdout and stderr) as it comes. */
  onLine: (line: string) => void;
}

/**
 * The folders of a command template's versions on this machine (BERTH_HOME/versions/<template>/
 * <version>/), implemented by the host: berth never calls a version installed until its install
 * step succeeded and wrote the marker, last.
 */
export interface VersionFolders {
  dirOf(template: string, version: string): string;
  /** The install's log file (its output, appended per attempt). */
  logOf(template: string, version: string): string;
  /** The marker is there: the install step finished without error. */
  isInstalled(template: string, version: string): Promise<boolean>;
  /**
   * Runs the step with cwd and `BERTH_VERSION_DIR` = the folder (made empty first), its output to
   * the log and `onLine`; on success writes the marker; on failure removes the folder and throws
   * with the reason (the exit code and the output's last lines).
   */
  install(job: InstallJob): Promise<void>;
  /** Deletes the version's folder (never anything outside BERTH_HOME/versions). */
  remove(template: string, version: string): Promise<void>;
  /** A program is there: an absolute path that is executable, or a name found on PATH. */
  hasProgram(command: string): Promise<boolean>;
}

/**
 * The images on one node's container engine, for image templates' versions: a capability of an
 * opened node (OpenedNode.images) whose driver reaches an engine that holds them.
 */
export interface NodeImages {
  /** Whether the image is on the engine; throws when the engine does not answer. */
  has(image: string): Promise<boolean>;
  /** Pulls the image; a failure (offline, unknown tag) throws with the engine's reason. */
  pull(image: string, onLine: (line: string) => void): Promise<void>;
  /** Removes the image tag from the engine. */
  remove(image: string): Promise<void>;
  /** What presence on this engine means for the node, when not all (a swarm's workers pull as they deploy). */
  readonly note?: string;
}

/** A node's images, or why berth cannot look at them (said where the version's state would be). */
export type NodeImagesLookup = { images: NodeImages } | { unknown: string };

/** Finds each node's images: the NodeRegistry, asking the node's driver. */
export interface NodeImagesSource {
  /** NotFound for a node berth does not know. */
  imagesOf(node: string): NodeImagesLookup;
}
