import { InvalidInput } from '@berth/core';
import { defaultLogRotationPolicy } from '@berth/host';

export interface ObserveSettings {
  /** Resource sampler tick (BERTH_SAMPLE_SECONDS, default 5). */
  sampleSeconds: number;
  /** History per instance, in samples (BERTH_SAMPLE_HISTORY, default 720: one hour at 5 s; older than 120 samples kept as averages of 12). */
  sampleHistory: number;
  /** How often process logs are checked for rotation (BERTH_LOG_ROTATE_SECONDS, default 10). */
  logRotateSeconds: number;
  /** A process log file over this size is rotated (BERTH_LOG_MAX_BYTES, default 10 MiB). */
  logMaxBytes: number;
  /** Rotated files kept per stream (BERTH_LOG_KEEP, default 5). */
  logKeep: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new InvalidInput(`${name} must be a positive ${integer ? 'integer' : 'number'}, got '${raw}'`, {
      details: { field: name },
    });
  }
  return n;
}

/** Sampler and log-rotation settings from the environment (read by loadServerConfig). */
export function loadObserveSettings(env: NodeJS.ProcessEnv): ObserveSettings {
  return {
    sampleSeconds: positive(env, 'BERTH_SAMPLE_SECONDS', 5),
    sampleHistory: positive(env, 'BERTH_SAMPLE_HISTORY', 720, true),
    logRotateSeconds: positive(env, 'BERTH_LOG_ROTATE_SECONDS', 10),
    logMaxBytes: positive(env, 'BERTH_LOG_MAX_BYTES', defaultLogRotationPolicy.maxBytes, true),
    logKeep: positive(env, 'BERTH_LOG_KEEP', defaultLogRotationPolicy.keep, true),
  };
}
