/**
 * Runtime versions come from files in the repository, so they are reduced to digits and dots
 * before they can reach an image tag: nothing else survives.
 */
const BARE = /^\d{1,4}(\.\d{1,4}){0,2}$/;

/** The first `major[.minor[.patch]]` in `text`, cut to `parts` components; or null. */
export function versionIn(text: string | undefined, parts: 1 | 2 | 3): string | null {
  if (text === undefined) return null;
  const match = /(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?/.exec(text.slice(0, 200));
  if (!match) return null;
  const found = [match[1], match[2], match[3]].filter((p): p is string => p !== undefined);
  const version = found.slice(0, parts).join('.');
  return BARE.test(version) ? version : null;
}

export function isBareVersion(v: string): boolean {
  return BARE.test(v);
}

/**
 * A version from a range such as `>=18`, `^20.1`, `~3.11`, `3.12.*`. Open-ended lower bounds
 * (`>=18`) yield `fallback` when it satisfies them, because "at least 18" means "a current one".
 */
export function versionFromRange(range: string | undefined, parts: 1 | 2, fallback: string): string | null {
  if (range === undefined) return null;
  const trimmed = range.trim();
  const v = versionIn(trimmed, parts);
  if (v === null) return null;
  if (/^>=?\s*\d/.test(trimmed) && !trimmed.includes('<')) {
    return compareVersions(fallback, v) >= 0 ? fallback : v;
  }
  return v;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
