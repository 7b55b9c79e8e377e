import type { ResourceSample } from './runtime.js';

/** Bytes a sample takes: ts, memory and disk as Float64, CPU and memory percent as Float32. */
const SAMPLE_BYTES = 32;
/** Samples a ring holds before it first grows. */
const FIRST_LENGTH = 16;

/** Samples kept as they were taken, newest first; older ones are kept as averages of BUCKET. */
const FINE = 120;
/** Samples an older average stands for (a minute at the default 5 s). */
const BUCKET = 12;

/**
 * History of samples: the newest FINE as they were taken (ten minutes at 5 s), older ones up to
 * `capacity` as averages of BUCKET (a minute each), the way monitoring tools keep older data
 * coarser. A full hour of 5 s samples took 23 KB per instance (230 MB at 10,000); now 5.4 KB. A
 * `capacity` up to FINE + BUCKET keeps every sample.
 */
export class SampleRing {
  private readonly recent: FlatRing;
  private readonly older: FlatRing | undefined;
  /** The samples folding into the next average: their count, sums, last time and last disk size. */
  private readonly acc = { n: 0, ts: 0, cpu: 0, mem: 0, memPct: 0, disk: Number.NaN };

  constructor(readonly capacity: number) {
    const fine = capacity > FINE + BUCKET ? FINE : capacity;
    this.recent = new FlatRing(fine);
    this.older = fine < capacity ? new FlatRing(Math.ceil((capacity - fine) / BUCKET)) : undefined;
  }

  /** Samples the buffers have room for now (they grow up to their capacity). */
  get allocated(): number {
    return this.recent.allocated + (this.older?.allocated ?? 0);
  }

  push(s: ResourceSample): void {
    const evicted = this.older ? this.recent.oldestIfFull() : undefined;
    if (evicted) this.fold(evicted);
    this.recent.push(s);
  }

  /** Oldest first (averages, then the samples as taken); only those newer than `since` when given. */
  toArray(since = Number.NEGATIVE_INFINITY): ResourceSample[] {
    const out = this.older?.toArray(since) ?? [];
    const partial = this.average();
    if (partial && partial.ts > since) out.push(partial);
    return out.concat(this.recent.toArray(since));
  }

  latest(): ResourceSample | undefined {
    return this.recent.latest();
  }

  private fold(s: ResourceSample): void {
    const a = this.acc;
    a.n++;
    a.ts = s.ts;
    a.cpu += s.cpuPercent;
    a.mem += s.memoryBytes;
    a.memPct += s.memoryPercent;
    if (s.diskBytes !== null) a.disk = s.diskBytes;
    if (a.n < BUCKET) return;
    this.older!.push(this.average()!);
    Object.assign(a, { n: 0, ts: 0, cpu: 0, mem: 0, memPct: 0, disk: Number.NaN });
  }

  /** The folding samples as one (at the last one's time), or undefined when there are none. */
  private average(): ResourceSample | undefined {
    const a = this.acc;
    if (a.n === 0) return undefined;
    return {
      ts: a.ts,
      cpuPercent: round(a.cpu / a.n),
      memoryBytes: Math.round(a.mem / a.n),
      memoryPercent: round(a.memPct / a.n),
      diskBytes: Number.isNaN(a.disk) ? null : a.disk,
    };
  }
}

/**
 * Fixed-size history of samples in typed-array columns over one buffer: 32 bytes a sample, no
 * garbage per push. The buffer starts small and doubles up to `capacity`, so an instance sampled
 * for a minute holds a minute of history, not an hour's worth of zeros.
 */
class FlatRing {
  private ts: Float64Array;
  private mem: Float64Array;
  private disk: Float64Array;
  private cpu: Float32Array;
  private memPct: Float32Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    [this.ts, this.mem, this.disk, this.cpu, this.memPct] = columns(Math.min(capacity, FIRST_LENGTH));
  }

  /** Samples the buffer has room for now (grows up to `capacity`). */
  get allocated(): number {
    return this.ts.length;
  }

  push(s: ResourceSample): void {
    if (this.size === this.ts.length && this.size < this.capacity) this.grow();
    const i = this.next;
    this.ts[i] = s.ts;
    this.cpu[i] = s.cpuPercent;
    this.mem[i] = s.memoryBytes;
    this.memPct[i] = s.memoryPercent;
    this.disk[i] = s.diskBytes ?? Number.NaN;
    this.next = (i + 1) % this.ts.length;
    this.size = Math.min(this.size + 1, this.ts.length);
  }

  /** The sample the next push overwrites, when the ring is full (unrounded). */
  oldestIfFull(): ResourceSample | undefined {
    if (this.size < this.capacity) return undefined;
    const i = this.next;
    const disk = this.disk[i]!;
    return {
      ts: this.ts[i]!,
      cpuPercent: this.cpu[i]!,
      memoryBytes: this.mem[i]!,
      memoryPercent: this.memPct[i]!,
      diskBytes: Number.isNaN(disk) ? null : disk,
    };
  }

  /** Until the ring first fills, samples sit at 0…size-1 in order, so the columns copy as they are. */
  private grow(): void {
    const old = [this.ts, this.mem, this.disk, this.cpu, this.memPct] as const;
    const next = columns(Math.min(this.capacity, this.ts.length * 2));
    for (let c = 0; c < old.length; c++) next[c]!.set(old[c]!);
    [this.ts, this.mem, this.disk, this.cpu, this.memPct] = next;
    this.next = this.size;
  }

  /** Oldest first; only samples newer than `since` when given. */
  toArray(since = Number.NEGATIVE_INFINITY): ResourceSample[] {
    const out: ResourceSample[] = [];
    const len = this.ts.length;
    const start = (this.next - this.size + len) % len;
    for (let k = 0; k < this.size; k++) {
      const i = (start + k) % len;
      if (this.ts[i]! > since) out.push(this.at(i));
    }
    return out;
  }

  latest(): ResourceSample | undefined {
    return this.size === 0 ? undefined : this.at((this.next - 1 + this.ts.length) % this.ts.length);
  }

  private at(i: number): ResourceSample {
    const disk = this.disk[i]!;
    return {
      ts: this.ts[i]!,
      cpuPercent: round(this.cpu[i]!),
      memoryBytes: this.mem[i]!,
      memoryPercent: round(this.memPct[i]!),
      diskBytes: Number.isNaN(disk) ? null : disk,
    };
  }
}

/** The five columns for `length` samples, as views of one buffer (Float64 ones first: aligned). */
function columns(length: number): [Float64Array, Float64Array, Float64Array, Float32Array, Float32Array] {
  const buf = new ArrayBuffer(length * SAMPLE_BYTES);
  const f64 = length * 8;
  return [
    new Float64Array(buf, 0, length),
    new Float64Array(buf, f64, length),
    new Float64Array(buf, 2 * f64, length),
    new Float32Array(buf, 3 * f64, length),
    new Float32Array(buf, 3 * f64 + length * 4, length),
  ];
}

const round = (n: number) => Math.round(n * 100) / 100;
