import type { Protocol } from './port-lease.js';

export const INTEGRATION_TYPES = ['docker', 'portainer', 'komodo'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const MIN_SCAN_INTERVAL_SECONDS = 60;
export const DEFAULT_SCAN_INTERVAL_SECONDS = 300;

export type ScanStatus = 'ok' | 'error';

/**
 * A read-only source of what runs elsewhere (a Docker endpoint, a Portainer or a Komodo server).
 * `config` holds the non-secret settings; `secrets` is an encrypted blob that never leaves the
 * server and is opened only by the integrations package.
 */
export interface Integration {
  id: string;
  name: string;
  type: IntegrationType;
  enabled: boolean;
  /** Scan on a timer every `scanIntervalSeconds`; when false, only "scan now" scans. */
  autoDetect: boolean;
  scanIntervalSeconds: number;
  config: Record<string, unknown>;
  /** Encrypted secret fields (API keys), or null when the type has none set. */
  secrets: string | null;
  createdAt: number;
  updatedAt: number;
  lastScanAt: number | null;
  /** Words for a person, never a stack trace; null after a good scan. */
  lastScanError: string | null;
  lastScanStatus: ScanStatus | null;
}

export interface PublishedPort {
  port: number;
  protocol: Protocol;
}

/** One container seen by the latest successful scan of an integration. */
export interface ScanResult {
  integrationId: string;
  /** berth's host key: `local` for this machine, otherwise the host name or address as given. */
  host: string;
  containerName: string;
  containerId: string | null;
  image: string;
  /** The engine's state word: running, exited, paused… */
  state: string;
  ports: PublishedPort[];
  lastSeen: number;
}
