import type { BuildLogLine, BuildRecord } from '@berth/contracts';

const WIDTH = 24;

/**
 * How a deploy shows its progress: on a terminal one line redrawn in place — a bar of the build's
 * steps, the phase and the latest output; elsewhere every new log line, plainly.
 */
export class BuildProgressBar {
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get interactive(): boolean {
    return this.stream.isTTY === true;
  }

  show(build: BuildRecord, fresh: BuildLogLine[]): void {
    if (!this.interactive) {
      for (const l of fresh) this.stream.write(`${l.message}\n`);
      return;
    }
    const last = fresh.at(-1)?.message ?? '';
    const columns = this.stream.columns ?? 80;
    const line = `${bar(build)} ${build.status.padEnd(9)} ${last.replace(/\s+/g, ' ')}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }

  done(): void {
    if (this.interactive) this.stream.write('\r\x1b[2K');
  }
}

function bar(b: BuildRecord): string {
  const steps = b.totalSteps > 0 ? `${b.step}/${b.totalSteps}` : '-/-';
  const ratio = b.status === 'done' ? 1 : b.totalSteps > 0 ? b.step / b.totalSteps : 0;
  const filled = Math.round(ratio * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${steps.padStart(5)}`;
}
