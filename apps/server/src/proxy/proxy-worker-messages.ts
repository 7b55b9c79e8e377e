/** Where a worker may splice an instance's connection: its node's address and port; null: relay it to the main process. */
export type WorkerTarget = { host: string; port: number } | null;

/** From the main process to a proxy worker. */
export type ToWorker =
  /** The first message: `relay` is the main process's socket for what the worker does not forward. */
  | { t: 'hello'; relay: string }
  /** With a client's connection as the handle (nothing read from it yet): serve it. */
  | { t: 'conn' }
  /** The target of a key (an instance name or `<port>.<name>`): asked for, or changed. */
  | { t: 'target'; key: string; target: WorkerTarget }
  | { t: 'stop' };

/** From a proxy worker to the main process. */
export type FromWorker =
  | { t: 'ready' }
  /** The worker needs (or needs a fresh) target for this key. */
  | { t: 'want'; key: string }
  /** Requests, bytes in and bytes out per instance since the last report. */
  | { t: 'meter'; counts: [name: string, requests: number, bytesIn: number, bytesOut: number][] };
