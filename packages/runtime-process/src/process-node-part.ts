import type { LocalNodePart } from '@berth/core';
import { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.js';

/** The process runtime's part of node local: command templates run as native processes here. */
export function processNodePart(opts: ProcessRuntimeOptions): LocalNodePart {
  return { runtimes: [{ runtime: new ProcessRuntime(opts), sources: ['command'] }] };
}
