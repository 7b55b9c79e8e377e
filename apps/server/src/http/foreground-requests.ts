import type { ServerResponse } from 'node:http';
import { foreground } from '@berth/core';

const ends = new WeakMap<ServerResponse, () => void>();

/**
 * Counts the request as in flight until its response ends or its connection closes: background
 * passes (the reconciler's tick, the sampler, the log rotation) give way meanwhile (`TimeSlices`).
 */
export function holdForeground(res: ServerResponse): void {
  const end = foreground.enter();
  ends.set(res, end);
  res.once('close', end);
}

/** A response that stays open (an event stream) no longer holds background passes back. */
export function releaseForeground(res: ServerResponse): void {
  ends.get(res)?.();
}
