import type { Integration, IntegrationType, ScanStatus } from '@berth/core';

/**
 * What the integrations API answers. Plain types and constants, no zod: the server builds these
 * shapes, it does not parse them, and the web UI can import the constants without the schemas.
 */

export type { IntegrationType, ScanStatus };

/** What every response shows for a stored secret: set, never its value; sent back, it keeps it. */
export const SECRET_MASK = '••••';

/** Why a connection test or scan failed, in one word (the same words for nodes and integrations). */
export type FailureReason =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'timeout'
  /** An ssh node's host presented another key than the one expected (nodes only). */
  | 'hostkey'
  | 'unknown';

/** An integration's connection test: version and round trip, or a reason and a sentence. */
export type ConnectionTestResult =
  | { ok: true; version?: string; latencyMs: number }
  | { ok: false; reason: FailureReason; message: string };

/** `POST /integrations/:id/scan`. */
export type ScanOutcome =
  | { ok: true; containers: number; ports: number; at: number }
  | { ok: false; reason: FailureReason; message: string; at: number };

/** An integration as every response shows it: the record without its secrets, with its latest scan counted. */
export interface IntegrationView extends Omit<Integration, 'secrets'> {
  /** Non-secret settings; each secret field is there as SECRET_MASK when set. */
  config: Record<string, unknown>;
  /** A scan is under way right now. */
  scanning: boolean;
  containerCount: number;
  portCount: number;
  hosts: string[];
}

/** One property of a type's config, as JSON Schema (`z.toJSONSchema`, io: input). */
export interface JsonSchemaProperty {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  title?: string;
  description?: string;
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  const?: unknown;
  enum?: unknown[];
  writeOnly?: boolean;
  'x-secret'?: boolean;
  anyOf?: JsonSchemaProperty[];
  items?: JsonSchemaProperty;
}

/** `GET /integrations/types`: each type with its config as JSON Schema. */
export interface IntegrationTypeView {
  type: IntegrationType;
  label: string;
  description: string;
  /** Fields kept encrypted, masked in every response. */
  secretFields: string[];
  configSchema: { type: 'object'; properties: Record<string, JsonSchemaProperty>; required?: string[] };
}

/** `POST /import/legacy-settings`. */
export interface LegacyImportResult {
  /** Path of the database copy taken before anything was written, or null when nothing was. */
  backup: string | null;
  created: { type: IntegrationType; id: string; name: string }[];
  skipped: { type: IntegrationType; reason: string }[];
}

/** `POST /import/service-registry`. */
export interface RegistryImportResult {
  /** Stopped instances holding their old ports. */
  imported: { name: string; template: string; port: number }[];
  /** Instances running the old system's container that still ran (taken over, not started again). */
  adopted: { name: string; template: string; port: number; container: string }[];
  skipped: { name: string; reason: string }[];
}
