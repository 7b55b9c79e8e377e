import { useEffect, useState } from 'react';
import { api } from '../api/api';

/** maxRetries of core's defaultRestartPolicy (README, "Health and restarts"). */
const DEFAULT_MAX_RETRIES = 5;

/** Each template's restart limit, asked once per template per page load (cards share the answer). */
const limits = new Map<string, Promise<number | undefined>>();

/** How many restarts the instance's template allows (its restart policy's maxRetries). */
export function useRestartLimit(template: string, wanted: boolean): number | undefined {
  const [limit, setLimit] = useState<number>();
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    let ask = limits.get(template);
    if (!ask) {
      ask = api.template(template).then(
        // A template without a restart block gets the server's default policy: on-failure, 5 tries.
        (t) => t.template.restart?.maxRetries ?? DEFAULT_MAX_RETRIES,
        () => {
          limits.delete(template);
          return undefined;
        },
      );
      limits.set(template, ask);
    }
    void ask.then((n) => live && setLimit(n));
    return () => {
      live = false;
    };
  }, [template, wanted]);
  return limit;
}
