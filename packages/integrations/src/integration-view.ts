import type { Integration, IntegrationType, ScanResult, ScanStatus } from '@berth/core';
import { maskedConfig } from './integration-config.js';

/** An integration as every response shows it: secrets masked, with its latest scan counted. */
export interface IntegrationView {
  id: string;
  name: string;
  type: IntegrationType;
  enabled: boolean;
  autoDetect: boolean;
  scanIntervalSeconds: number;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastScanAt: number | null;
  lastScanError: string | null;
  lastScanStatus: ScanStatus | null;
  /** A scan is under way right now. */
  scanning: boolean;
  containerCount: number;
  portCount: number;
  hosts: string[];
}

export function integrationView(i: Integration, rows: ScanResult[], scanning: boolean): IntegrationView {
  return {
    id: i.id,
    name: i.name,
    type: i.type,
    enabled: i.enabled,
    autoDetect: i.autoDetect,
    scanIntervalSeconds: i.scanIntervalSeconds,
    config: maskedConfig(i),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    lastScanAt: i.lastScanAt,
    lastScanError: i.lastScanError,
    lastScanStatus: i.lastScanStatus,
    scanning,
    containerCount: rows.length,
    portCount: rows.reduce((n, r) => n + r.ports.length, 0),
    hosts: [...new Set(rows.map((r) => r.host))].sort(),
  };
}
