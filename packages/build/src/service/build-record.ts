import type { ErrorKind } from '@berth/core';
import type { DbKind, Detection, Stack } from '../detection.js';
import type { BuildProgress } from '../image/build-progress.js';

export type BuildStatus =
  | 'queued'
  | 'importing'
  | 'detecting'
  | 'building'
  | 'deploying'
  | 'done'
  | 'failed'
  | 'cancelled';

export const FINISHED: readonly BuildStatus[] = ['done', 'failed', 'cancelled'];

/** What a person may correct in a detection before it is built. */
export interface DetectionOverrides {
  stack?: Stack | undefined;
  framework?: string | null | undefined;
  /** The port the app listens on inside the container. */
  port?: number | undefined;
  /** The start command, as an argument vector. */
  start?: string[] | undefined;
  healthPath?: string | undefined;
}

export interface BuildLogLine extends BuildProgress {
  /** Increases by one per line, across redeploys: `?after=<seq>` asks for what is new. */
  seq: number;
  ts: number;
}

/** The files the plan wrote into the build folder, as text, for a person to read. */
export interface PlanFiles {
  /** Null when the repository's own Dockerfile is used. */
  dockerfile: string | null;
  dockerfilePath: string;
  dockerignore: string;
  compose: string;
}

export interface BuildError {
  /** The domain error's kind (exit codes and statuses follow it); absent for an unknown failure. */
  kind?: ErrorKind;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** One deploy-from-a-repository: where it came from, how far it got, and what it made. */
export interface BuildRecord {
  id: string;
  /** The app's name: template, instance and image name. */
  name: string;
  /** The git URL or local path, as given. */
  source: string;
  status: BuildStatus;
  databases: DbKind[] | null;
  overrides: DetectionOverrides;
  detection: Detection | null;
  plan: PlanFiles | null;
  /** `berth-build/<name>:<id>`. */
  image: string;
  imageId: string | null;
  /** Base images the build replaced by their local mapping. */
  mappedImages: Record<string, string>;
  step: number;
  totalSteps: number;
  template: string | null;
  instanceId: string | null;
  /** The last lines of import, build and deploy output. */
  logs: BuildLogLine[];
  error: BuildError | null;
  /** How many times it was built (1 + redeploys). */
  attempt: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A record without its logs, for lists. */
export type BuildSummary = Omit<BuildRecord, 'logs' | 'plan' | 'detection'> & {
  stack: Stack | null;
  framework: string | null;
};

export function summary(r: BuildRecord): BuildSummary {
  const { logs: _l, plan: _p, detection, ...rest } = r;
  return { ...rest, stack: detection?.stack ?? null, framework: detection?.framework ?? null };
}
