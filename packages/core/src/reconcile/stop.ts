import type { Instance } from '../instance.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';
import type { Restarts } from './restarts.js';

/** Stopping, killing and removing an instance's workload. */
export class Stopper {
  constructor(
    private readonly records: Records,
    private readonly lookup: Lookup,
    private readonly restarts: Restarts,
  ) {}

  /**
   * Stops the workload gracefully (or records that it is not running). A pending retry is
   * forgotten: a restart after an unhealthy check would deploy the instance again after the stop.
   */
  async stop(inst: Instance, reason: string): Promise<void> {
    this.restarts.cancel(inst.id);
    const { dep, seen } = await this.lookup.observe(inst);
    if (!dep?.handle || !seen?.running) {
      this.records.finishDeployment(dep, seen?.exitCode ?? null, 'stopped');
      if (inst.status !== 'stopped')
        this.records.status(inst, 'stopped', reason, { health: null, nextRetryAt: null });
      return;
    }
    inst = this.records.status(inst, 'stopping', reason);
    const runtime = this.lookup.runtimeFor(inst, dep);
    await runtime.stop(dep.handle, this.lookup.stopTimeoutMs(inst));
    const after = await runtime.inspect(dep.handle);
    const code = after?.exitCode ?? null;
    this.records.finishDeployment(dep, code, 'stopped');
    this.records.status(inst, 'stopped', code === null ? 'stopped' : `stopped (exit code ${code})`, {
      health: null,
      nextRetryAt: null,
      errorMessage: null,
      lastExitCode: code,
    });
  }

  async kill(inst: Instance): Promise<void> {
    this.restarts.cancel(inst.id);
    const { dep, seen } = await this.lookup.observe(inst);
    if (dep?.handle && seen?.running) await this.lookup.runtimeFor(inst, dep).kill(dep.handle);
    this.records.finishDeployment(dep, null, 'stopped');
    this.records.status(inst, 'stopped', 'killed', { health: null, nextRetryAt: null, errorMessage: null });
  }

  /** Stops and removes the workload (with its data and volumes as `what` says) before the instance's records go. */
  async destroy(inst: Instance, what: { volumes: boolean; data: boolean }): Promise<void> {
    this.restarts.cancel(inst.id);
    const { dep, seen } = await this.lookup.observe(inst);
    if (!dep?.handle) return;
    const runtime = this.lookup.runtimeFor(inst, dep);
    if (seen?.running) await runtime.stop(dep.handle, this.lookup.stopTimeoutMs(inst));
    await runtime.remove(dep.handle, what);
  }
}
