import type { ConnectionTestResult } from '@berth/contracts';
import type { PublishedPort } from '@berth/core';

/** One container an integration reported, already on berth's host key. */
export interface ScannedContainer {
  host: string;
  name: string;
  id: string | null;
  image: string;
  state: string;
  ports: PublishedPort[];
}

/** A connection test's answer, as the API gives it. */
export type TestResult = ConnectionTestResult;

/** Talks to one configured integration. Every call honours its signal (the integration's timeout). */
export interface IntegrationClient {
  /** Version and round trip, proving the address and the credentials. */
  version(signal: AbortSignal): Promise<string | undefined>;
  scan(signal: AbortSignal): Promise<ScannedContainer[]>;
}
