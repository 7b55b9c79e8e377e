import type { PublishedPort } from '@berth/core';
import type { FailureReason } from './connection-failure.js';

/** One container an integration reported, already on berth's host key. */
export interface ScannedContainer {
  host: string;
  name: string;
  id: string | null;
  image: string;
  state: string;
  ports: PublishedPort[];
}

export type TestResult =
  | { ok: true; version?: string; latencyMs: number }
  | { ok: false; reason: FailureReason; message: string };

/** Talks to one configured integration. Every call honours its signal (the integration's timeout). */
export interface IntegrationClient {
  /** Version and round trip, proving the address and the credentials. */
  version(signal: AbortSignal): Promise<string | undefined>;
  scan(signal: AbortSignal): Promise<ScannedContainer[]>;
}
