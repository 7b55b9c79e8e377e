export interface MergeableLine {
  stream: string;
  line: string;
}

/** How many lines per stream are remembered to recognise them in the next snapshot. */
export const REMEMBER = 500;

/**
 * The lines of `snapshot` (the last N lines of both streams in the order written, as the plain
 * logs endpoint answers) that were not in earlier snapshots, in the snapshot's order. Per stream,
 * the longest run at the end of what is known that the snapshot starts with is the overlap; what
 * follows it is new (times alone cannot tell: two lines may share a millisecond). `known` is
 * updated in place.
 */
export function newLines<T extends MergeableLine>(known: Map<string, string[]>, snapshot: T[]): T[] {
  const byStream = new Map<string, T[]>();
  for (const l of snapshot) {
    const list = byStream.get(l.stream) ?? [];
    list.push(l);
    byStream.set(l.stream, list);
  }
  const fresh = new Set<T>();
  for (const [stream, batch] of byStream) {
    const old = known.get(stream) ?? [];
    const k = overlap(old, batch);
    const added = batch.slice(k);
    for (const l of added) fresh.add(l);
    known.set(stream, [...old, ...added.map((l) => l.line)].slice(-REMEMBER));
  }
  // both streams interleaved as written, not one stream after the other
  return snapshot.filter((l) => fresh.has(l));
}

/** Largest k with old[-k:] equal to batch[:k] (line text). */
function overlap(old: string[], batch: MergeableLine[]): number {
  for (let k = Math.min(old.length, batch.length); k > 0; k--) {
    const start = old.length - k;
    let same = true;
    for (let i = 0; i < k && same; i++) same = old[start + i] === batch[i]?.line;
    if (same) return k;
  }
  return 0;
}
