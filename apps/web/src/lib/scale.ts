/** A round number a bit above `v` (1, 2, 2.5 or 5 × 10^k), so a flat series does not hug the top. */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const target = v * 1.15;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= target) ?? 10;
  return step * power;
}
