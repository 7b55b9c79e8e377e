import { failureMessage, failureReason } from './connection-failure.js';
import { deadline, raceSignal } from './deadline.js';
import type { IntegrationClient, TestResult } from './integration-client.js';

/** Asks the integration its version within `timeoutMs`; says why not in one word and a sentence. */
export async function testConnection(
  client: IntegrationClient,
  timeoutMs: number,
  parent?: AbortSignal,
): Promise<TestResult> {
  const started = performance.now();
  const signal = deadline(timeoutMs, parent);
  try {
    const version = await raceSignal(client.version(signal), signal);
    const latencyMs = Math.round(performance.now() - started);
    return version === undefined ? { ok: true, latencyMs } : { ok: true, version, latencyMs };
  } catch (err) {
    return { ok: false, reason: failureReason(err), message: failureMessage(err) };
  }
}
