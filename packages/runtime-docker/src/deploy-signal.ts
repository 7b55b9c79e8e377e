import { type DeployOptions, type DeploySpec, Unprocessable } from '@berth/core';

/** The caller's signal, joined with the deploy timeout when one is given. */
export function deploySignal(opts: DeployOptions): AbortSignal | undefined {
  const signals = [opts.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** The deploy timeout firing becomes a clear domain error; the caller's own abort passes through. */
export function timedOut(err: unknown, opts: DeployOptions, spec: DeploySpec): unknown {
  if (!(err instanceof Error) || err.name !== 'TimeoutError' || opts.signal?.aborted) return err;
  return new Unprocessable(`Deploying ${spec.instanceName} took longer than ${opts.timeoutMs} ms`, {
    code: 'DEPLOY_TIMEOUT',
    cause: err,
  });
}
