import { useEffect, useLayoutEffect } from 'react';

/** Scroll positions by history entry, for Back; entries are numbered in `history.state`. */
const positions = new Map<number, number>();
/** Numbers unique across reloads too (history keeps the states of entries from before one). */
let nextEntry = Date.now();
/** The entry the page shows now, and whether its position is being restored (scrolls then are ours). */
let current: number | undefined;
let restoring = false;
/** How long a restore waits for the page's data to make it tall enough. */
const RESTORE_FOR_MS = 3000;

function entryOf(state: unknown): number | undefined {
  const n = (state as { berthEntry?: unknown } | null)?.berthEntry;
  return typeof n === 'number' ? n : undefined;
}

/**
 * A new page opens at its top; Back (or Forward) returns to where that page was scrolled. Hash
 * routes leave this to the app: the browser would keep the previous page's offset. Each history
 * entry gets a number in its state the first time it is shown; a route change onto an entry that
 * has one is a return to it. The switch happens in a layout effect, before the browser clamps the
 * old offset to the new page, so that clamp is never saved as the new page's position.
 */
export function useScrollMemory(routeKey: string): void {
  useEffect(() => {
    if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
    const onScroll = () => {
      if (current !== undefined && !restoring) positions.set(current, window.scrollY);
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per route change
  useLayoutEffect(() => {
    const known = entryOf(history.state);
    if (known === undefined) {
      current = nextEntry++;
      history.replaceState({ ...(history.state ?? {}), berthEntry: current }, '');
      restoring = false;
      window.scrollTo(0, 0);
      return;
    }
    current = known;
    const target = positions.get(known) ?? 0;
    const until = performance.now() + RESTORE_FOR_MS;
    let frame = 0;
    restoring = true;
    const done = () => {
      restoring = false;
      cancelAnimationFrame(frame);
    };
    // the page renders its data after it loads: keep trying until it is tall enough
    const restore = () => {
      if (!restoring) return;
      window.scrollTo(0, target);
      if (Math.abs(window.scrollY - target) > 1 && performance.now() < until)
        frame = requestAnimationFrame(restore);
      else done();
    };
    // the person scrolling takes over
    window.addEventListener('wheel', done, { passive: true, once: true });
    window.addEventListener('touchstart', done, { passive: true, once: true });
    window.addEventListener('keydown', done, { once: true });
    restore();
    return () => {
      done();
      window.removeEventListener('wheel', done);
      window.removeEventListener('touchstart', done);
      window.removeEventListener('keydown', done);
    };
  }, [routeKey]);
}
