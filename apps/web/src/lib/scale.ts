/** A round number a bit above `v` (1, 2, 2.5 or 5 × 10^k), so a flat series does not hug the top. */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const target = v * 1.15;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= target) ?? 10;
  return step * power;
}

/**
 * Axis ticks from 0 to a round top just above `max`: at most about `count` steps of 1, 2 or 5 × 10^k
 * (bytes: of 1024^k, so memory ticks read 256 MiB, not 268 MB).
 */
export function niceTicks(max: number, opts: { bytes?: boolean; count?: number } = {}): number[] {
  const count = opts.count ?? 4;
  // nothing to scale: 0–1 (bytes: 0–1000 B, not steps of a quarter byte)
  const top = max > 0 && Number.isFinite(max) ? max : opts.bytes ? 1000 : 1;
  const unit = opts.bytes ? 1024 ** Math.max(0, Math.floor(Math.log(top / count) / Math.log(1024))) : 1;
  const raw = top / count / unit;
  const power = 10 ** Math.floor(Math.log10(raw));
  // no 2.5: its ticks (0.25, 0.75) would show rounded as 0.3 and 0.8
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power * unit;
  const ticks = [0];
  while ((ticks[ticks.length - 1] ?? 0) < top - step * 1e-9) ticks.push(ticks.length * step);
  return ticks;
}
