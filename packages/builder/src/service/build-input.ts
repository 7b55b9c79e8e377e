import { STACKS } from '@berth/contracts';
import { InvalidInput, nameProblem } from '@berth/core';
import { DB_KINDS, type DbKind, type Stack } from '../detection.js';
import { parseSource, type SourceRef } from '../import-source.js';
import type { DetectionOverrides } from './build-record.js';

export interface CreateBuildInput {
  /** A git URL, or an absolute path on the server's machine. */
  source: string;
  name?: string | undefined;
  /** Databases to run beside the app; the detected ones when absent. */
  databases?: DbKind[] | undefined;
  overrides?: DetectionOverrides | undefined;
}

export interface ValidBuildInput {
  source: string;
  ref: SourceRef;
  name: string;
  databases: DbKind[] | null;
  overrides: DetectionOverrides;
}

function invalid(field: string, message: string): InvalidInput {
  return new InvalidInput(`${field} ${message}`, { details: { field } });
}

/** Checks what a build request asks for, naming the field at fault; nothing is touched yet. */
export function validBuildInput(input: CreateBuildInput): ValidBuildInput {
  if (typeof input.source !== 'string' || input.source.trim() === '')
    throw invalid('source', 'is required: a git URL or a path');
  const ref = sourceRef(input.source.trim());
  const name = input.name ?? nameFromSource(ref);
  const problem = nameProblem(name);
  if (problem) throw invalid('name', `'${name}' is not a valid app name: it ${problem}`);
  return {
    source: input.source.trim(),
    ref,
    name,
    databases: input.databases === undefined ? null : validDatabases(input.databases),
    overrides: validOverrides(input.overrides ?? {}),
  };
}

/** A path or a git URL; a bad URL's error names the `source` field first thing. */
function sourceRef(source: string): SourceRef {
  try {
    return parseSource(source);
  } catch (err) {
    if (err instanceof InvalidInput)
      throw new InvalidInput(`source: ${err.message}`, {
        code: err.code,
        details: { field: 'source' },
        cause: err,
      });
    throw err;
  }
}

function validDatabases(dbs: unknown): DbKind[] {
  if (!Array.isArray(dbs)) throw invalid('databases', 'must be a list');
  for (const db of dbs) {
    if (!DB_KINDS.includes(db as DbKind))
      throw invalid('databases', `has '${String(db)}'; known: ${DB_KINDS.join(', ')}`);
  }
  return [...new Set(dbs as DbKind[])];
}

function validOverrides(o: DetectionOverrides): DetectionOverrides {
  if (o.stack !== undefined && !(STACKS as readonly Stack[]).includes(o.stack))
    throw invalid('overrides.stack', `must be one of ${STACKS.join(', ')}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535))
    throw invalid('overrides.port', 'must be a port number (1–65535)');
  if (
    o.start !== undefined &&
    (!Array.isArray(o.start) || o.start.length === 0 || o.start.some((a) => typeof a !== 'string'))
  )
    throw invalid('overrides.start', 'must be a non-empty list of arguments');
  if (o.healthPath !== undefined && !/^\/[\w./-]{0,100}$/.test(o.healthPath))
    throw invalid('overrides.healthPath', "must be a path such as '/health'");
  if (o.app !== undefined && (!/^(?:@[\w.-]{1,100}\/)?[\w./-]{1,200}$/.test(o.app) || o.app.includes('..')))
    throw invalid('overrides.app', "must be a package's folder or name, such as 'apps/web' or 'web'");
  if (o.app === undefined) {
    const { app: _app, ...rest } = o;
    return rest;
  }
  return o;
}

/** `https://host/org/My_App.git` → `my-app`; a path's last folder likewise; `app` when nothing is left. */
export function nameFromSource(ref: SourceRef): string {
  const raw = ref.kind === 'git' ? ref.url : ref.path;
  const last =
    raw
      .replace(/[/\\]+$/, '')
      .split(/[/\\:]/)
      .at(-1) ?? '';
  const name = last
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return /^[a-z]/.test(name) ? name : name ? `app-${name}` : 'app';
}
