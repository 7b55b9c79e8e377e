import type Dockerode from 'dockerode';
import { stringify } from 'yaml';

/**
 * Compose (and `docker stack deploy`) interpolate `$` in every value: each `$` of berth's own text
 * is doubled, except a `${NAME}` that names a secret — the one place an export asks the operator's
 * environment for a value.
 */
export function composeEscape(text: string, secrets: ReadonlySet<string>): string {
  return text.replace(/\$(\{([A-Za-z_][A-Za-z0-9_]*)\})?/g, (whole, _braced, name: string | undefined) =>
    name !== undefined && secrets.has(name) ? whole : `$${whole}`,
  );
}

/** `KEY=value` entries (the Engine API's env) → compose's environment map, escaped. */
export function environmentOf(env: string[], secrets: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(
    env.map((e) => {
      const at = e.indexOf('=');
      return [e.slice(0, at), composeEscape(e.slice(at + 1), secrets)];
    }),
  );
}

/** Nanoseconds (the Engine API's durations) → a compose duration. */
export const duration = (ns: number) => `${Math.round(ns / 1_000_000)}ms`;

/** The text of a compose file with a header comment saying what it is and what to set. */
export function composeText(header: string[], doc: Record<string, unknown>): string {
  const comment = header.map((l) => `# ${l}`).join('\n');
  return `${comment}\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** An engine health check as a compose/stack file's `healthcheck:` (empty when there is none). */
export function healthcheckOf(
  h: Dockerode.HealthConfig | undefined,
  secrets: ReadonlySet<string>,
): Record<string, unknown> {
  if (!h?.Test) return {};
  return {
    healthcheck: {
      test: h.Test.map((a) => composeEscape(a, secrets)),
      interval: duration(h.Interval ?? 0),
      timeout: duration(h.Timeout ?? 0),
      retries: h.Retries,
      start_period: duration(h.StartPeriod ?? 0),
    },
  };
}
