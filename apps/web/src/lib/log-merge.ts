export interface MergeableLine {
  stream: string;
  line: string;
}

/** How many lines per stream are remembered to recognise them in the next snapshot. */
export const REMEMBER = 500;

/**
 * The lines of `snapshot` (the last N lines of each stream, as the plain logs endpoint answers)
 * that were not in earlier snapshots. Timestamps cannot tell (a file's lines share its mtime), so
 * per stream the longest run at the end of what is known that the snapshot starts with is the
 * overlap; what follows it is new. `known` is updated in place.
 */
export function newLines<T extends MergeableLine>(known: Map<string, string[]>, snapshot: T[]): T[] {
  const byStream = new Map<string, T[]>();
  for (const l of snapshot) {
    const list = byStream.get(l.stream) ?? [];
    list.push(l);
    byStream.set(l.stream, list);
  }
  const fresh: T[] = [];
  for (const [stream, batch] of byStream) {
    const old = known.get(stream) ?? [];
    const k = overlap(old, batch);
    const added = batch.slice(k);
    fresh.push(...added);
    known.set(stream, [...old, ...added.map((l) => l.line)].slice(-REMEMBER));
  }
  return fresh;
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
