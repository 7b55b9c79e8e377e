/**
 * One application among several in a single build (a Go workspace's main packages, a Gradle or
 * Maven multi-project's application subprojects): the one asked for by any of its names, else the
 * first — and a note saying which, or a refusal naming the ones there are.
 */
export interface Choice<T> {
  chosen: T;
  /** Says which was taken and why, when there was a choice or a request. */
  note: string | null;
}

export function chooseAmong<T>(
  apps: T[],
  names: (app: T) => string[],
  wanted: string | undefined,
  what: string,
): Choice<T> | { refusal: string } | undefined {
  const label = (app: T) => names(app)[0]!;
  if (wanted !== undefined) {
    const w = wanted.replace(/^\.\//, '').replace(/\/+$/, '');
    const chosen = apps.find((a) => names(a).some((n) => n.replace(/^\.\//, '') === w));
    if (chosen) return { chosen, note: `deploying ${label(chosen)}, as asked` };
    return { refusal: `no ${what} '${wanted}' here (${what}s: ${apps.map(label).join(', ') || 'none'})` };
  }
  const chosen = apps[0];
  if (chosen === undefined) return undefined;
  const note =
    apps.length === 1
      ? null
      : `deploying ${label(chosen)}, the first of ${apps.length} ${what}s (${apps.map(label).join(', ')}); choose another with --app`;
  return { chosen, note };
}
