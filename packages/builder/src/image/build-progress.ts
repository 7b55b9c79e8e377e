import type { BuildProgress } from '@berth/contracts';

export type { BuildProgress };

export interface BuildOutcome {
  /** `sha256:…` from the engine's `aux` message, once the image is written. */
  imageId: string | null;
  /** The engine's error message, when the build failed. */
  error: string | null;
}

interface EngineMessage {
  stream?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

const STEP = /^Step (\d+)\/(\d+) : /;

/**
 * Reads the Engine API's build output (JSON objects, one a line, split anywhere across chunks) into
 * progress lines, remembering the image id and the error it reports.
 */
export class BuildStreamParser {
  readonly outcome: BuildOutcome = { imageId: null, error: null };
  private step = 0;
  private totalSteps = 0;
  private pending = '';

  push(chunk: string): BuildProgress[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    return lines.flatMap((line) => this.parseLine(line));
  }

  end(): BuildProgress[] {
    const rest = this.pending;
    this.pending = '';
    return this.parseLine(rest);
  }

  private parseLine(line: string): BuildProgress[] {
    const text = line.trim();
    if (!text) return [];
    let msg: EngineMessage;
    try {
      msg = JSON.parse(text) as EngineMessage;
    } catch {
      return [this.progress(text, 'stdout')];
    }
    if (msg.aux?.ID) this.outcome.imageId = msg.aux.ID;
    if (msg.error || msg.errorDetail) {
      const error = msg.errorDetail?.message ?? msg.error ?? 'unknown build error';
      this.outcome.error = error;
      return [this.progress(error, 'stderr')];
    }
    if (msg.status) return [this.progress([msg.status, msg.progress].filter(Boolean).join(' '), 'stdout')];
    return (msg.stream ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => this.streamLine(l));
  }

  private streamLine(line: string): BuildProgress {
    const step = STEP.exec(line);
    if (step) {
      this.step = Number(step[1]);
      this.totalSteps = Number(step[2]);
    }
    return this.progress(line.trimEnd(), 'stdout');
  }

  private progress(message: string, stream: BuildProgress['stream']): BuildProgress {
    return { step: this.step, totalSteps: this.totalSteps, message, stream };
  }
}
