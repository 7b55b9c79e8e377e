import type { Detection } from '../detection.js';
import type { DetectionOverrides } from './build-record.js';

/** The detection as a person corrected it; each correction is recorded as evidence. */
export function applyOverrides(d: Detection, o: DetectionOverrides): Detection {
  const out: Detection = { ...d, evidence: [...d.evidence] };
  const note = (reason: string) => out.evidence.push({ file: '(overrides)', reason });
  if (o.stack !== undefined && o.stack !== d.stack) {
    out.stack = o.stack;
    out.unsupported = undefined;
    note(`stack set to ${o.stack}`);
  }
  if (o.framework !== undefined) {
    out.framework = o.framework;
    note(`framework set to ${o.framework ?? 'none'}`);
  }
  if (o.port !== undefined) {
    out.port = o.port;
    note(`port set to ${o.port}`);
  }
  if (o.start !== undefined) {
    out.start = o.start;
    note(`start command set to ${JSON.stringify(o.start)}`);
  }
  if (o.healthPath !== undefined) {
    out.healthPath = o.healthPath;
    note(`health path set to ${o.healthPath}`);
  }
  // The app of a monorepo is chosen during detection, which says so in its notes.
  if (Object.keys(o).some((k) => k !== 'app')) out.confidence = 100;
  return out;
}
