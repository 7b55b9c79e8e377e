import type { IntegrationView } from '@berth/contracts';
import type { Integration, ScanResult } from '@berth/core';
import { maskedConfig } from './integration-config.js';

export type { IntegrationView };

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
