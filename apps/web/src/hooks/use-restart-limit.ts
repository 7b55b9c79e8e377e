import { useEffect, useState } from 'react';
import { api } from '../api/api';

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
        (t) => t.template.restart?.maxRetries,
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
