import type { Detection, Stack } from '../detection.js';
import type { TreeIndex } from './tree-index.js';

/** What one stack detector proposes: a detection's fields before competition; the highest `score` wins. */
export interface Candidate
  extends Omit<Detection, 'stack' | 'confidence' | 'dockerfile' | 'monorepo' | 'unsupported'> {
  stack: Stack;
  /** 0–100 before competition; ≥ 30 is needed to be taken seriously. */
  score: number;
  /**
   * The stack is right but the app asked for (`--app`) is not one of its applications: the
   * detection refuses, as data, naming the ones there are.
   */
  refusal?: string;
}

/** `app`: the application asked for, in a build that holds several (a Go workspace's module, a Gradle subproject). */
export type StackDetector = (tree: TreeIndex, app?: string) => Candidate | undefined;

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
  const { score: _score, refusal: _refusal, ...rest } = c;
  return { ...rest, confidence };
}
