import { EventEmitter, on } from 'node:events';
import type { BuildLogLine, BuildRecord, BuildStatus } from './build-record.js';

/** One line of a build's output with the build's status when it was written. */
export interface BuildEvent extends BuildLogLine {
  status: BuildStatus;
}

/** Live build output: the service publishes each line and each end; followers read them in order. */
export class BuildFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(record: BuildRecord, line: BuildLogLine): void {
    this.emitter.emit(record.id, { ...line, status: record.status } satisfies BuildEvent);
  }

  end(record: BuildRecord): void {
    this.emitter.emit(record.id, null);
  }

  /**
   * The lines after `after` of the record as it is now, then the new ones as they come, until the
   * build ends or `signal` aborts. Subscribes before reading the snapshot, so no line falls between.
   */
  async *follow(
    id: string,
    after: number,
    snapshot: () => Promise<{ record: BuildRecord; running: boolean }>,
    signal: AbortSignal,
  ): AsyncIterable<BuildEvent> {
    const live = on(this.emitter, id, { signal });
    const { record, running } = await snapshot();
    let last = after;
    for (const l of record.logs) {
      if (l.seq <= last) continue;
      last = l.seq;
      yield { ...l, status: record.status };
    }
    if (!running) return;
    try {
      for await (const [event] of live as AsyncIterable<[BuildEvent | null]>) {
        if (event === null) return;
        if (event.seq <= last) continue;
        last = event.seq;
        yield event;
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }
}
