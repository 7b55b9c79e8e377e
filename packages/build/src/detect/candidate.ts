import type { Command, DbKind, Detection, Evidence, Stack } from '../detection.js';
import type { TreeIndex } from './tree-index.js';

/** What one stack detector proposes; the highest `score` wins. */
export interface Candidate {
  stack: Stack;
  /** 0–100 before competition; ≥ 30 is needed to be taken seriously. */
  score: number;
  framework: string | null;
  evidence: Evidence[];
  packageManager: string | null;
  runtimeVersion: string | null;
  install: Command[];
  build: Command[];
  start: Command | null;
  port: number;
  portFromEnv: boolean;
  healthPath: string;
  databases: DbKind[];
  staticDir: string | null;
  notes: string[];
}

export type StackDetector = (tree: TreeIndex) => Candidate | undefined;

export function candidate(
  stack: Stack,
  fields: Partial<Candidate> & { score: number; port: number },
): Candidate {
  return {
    stack,
    framework: null,
    evidence: [],
    packageManager: null,
    runtimeVersion: null,
    install: [],
    build: [],
    start: null,
    portFromEnv: false,
    healthPath: '/',
    databases: [],
    staticDir: null,
    notes: [],
    ...fields,
  };
}

export function toDetection(c: Candidate, confidence: number): Detection {
  const { score: _score, ...rest } = c;
  return { ...rest, confidence };
}
