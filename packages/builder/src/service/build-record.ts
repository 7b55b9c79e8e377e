import type { BuildRecord, BuildSummary } from '@berth/contracts';

/** A build's record and log lines are the builds API's shapes, defined once in @berth/contracts. */
export type {
  BuildError,
  BuildLogLine,
  BuildRecord,
  BuildStatus,
  BuildSummary,
  DetectionOverrides,
  PlanFiles,
} from '@berth/contracts';

export function summary(r: BuildRecord): BuildSummary {
  const { logs: _l, plan: _p, detection, ...rest } = r;
  return { ...rest, stack: detection?.stack ?? null, framework: detection?.framework ?? null };
}
