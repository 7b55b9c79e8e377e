import type { ResourceSample } from './runtime.js';

/** Fixed-size history of samples in typed arrays: ~32 bytes a sample, no garbage per tick. */
export class SampleRing {
  private readonly ts: Float64Array;
  private readonly cpu: Float32Array;
  private readonly mem: Float64Array;
  private readonly memPct: Float32Array;
  private readonly disk: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.ts = new Float64Array(capacity);
    this.cpu = new Float32Array(capacity);
    this.mem = new Float64Array(capacity);
    this.memPct = new Float32Array(capacity);
    this.disk = new Float64Array(capacity);
  }

  push(s: ResourceSample): void {
    const i = this.next;
    this.ts[i] = s.ts;
    this.cpu[i] = s.cpuPercent;
    this.mem[i] = s.memoryBytes;
    this.memPct[i] = s.memoryPercent;
    this.disk[i] = s.diskBytes ?? Number.NaN;
    this.next = (i + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Oldest first; only samples newer than `since` when given. */
  toArray(since = Number.NEGATIVE_INFINITY): ResourceSample[] {
    const out: ResourceSample[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      const i = (start + k) % this.capacity;
      if (this.ts[i]! <= since) continue;
      const disk = this.disk[i]!;
      out.push({
        ts: this.ts[i]!,
        cpuPercent: round(this.cpu[i]!),
        memoryBytes: this.mem[i]!,
        memoryPercent: round(this.memPct[i]!),
        diskBytes: Number.isNaN(disk) ? null : disk,
      });
    }
    return out;
  }

  latest(): ResourceSample | undefined {
    return this.size === 0
      ? undefined
      : this.toArray(this.ts[(this.next - 1 + this.capacity) % this.capacity]! - 1)[0];
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
