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

/** Images on a node's container engine, for image templates' versions. */
export interface NodeImages {
  /** Whether the image is on the node's engine; undefined when berth cannot look there (not a Docker engine it reaches). */
  has(node: string, image: string): Promise<boolean | undefined>;
  /** Pulls the image; a failure (offline, unknown tag) throws with the engine's reason. */
  pull(node: string, image: string, onLine: (line: string) => void): Promise<void>;
  /** Removes the image tag from the node. */
  remove(node: string, image: string): Promise<void>;
}
