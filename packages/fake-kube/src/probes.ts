import { connect } from 'node:net';
import { type PodContainer, type Probe, probePort } from './container-spec.js';

/** Runs one probe against the pod's IP as the kubelet does: HTTP 200–399, or a TCP connect. */
export async function runProbe(probe: Probe, c: PodContainer, ip: string): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = probePort(c, probe.httpGet.port);
    if (port === undefined) return false;
    try {
      const res = await fetch(`http://${ip}:${port}${probe.httpGet.path ?? '/'}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const port = probePort(c, probe.tcpSocket.port);
    if (port === undefined) return false;
    return new Promise((resolve) => {
      const s = connect(port, ip);
      const done = (ok: boolean) => {
        s.destroy();
        resolve(ok);
      };
      s.setTimeout(timeoutMs, () => done(false));
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
    });
  }
  // exec and grpc probes are not simulated: counted as passing (see README).
  return true;
}

/** Counts results against the thresholds; `value` flips only after enough consecutive results. */
export class ProbeState {
  private fails = 0;
  private passes = 0;

  constructor(
    readonly probe: Probe,
    public value: boolean,
  ) {}

  record(ok: boolean): boolean {
    if (ok) {
      this.fails = 0;
      if (++this.passes >= (this.probe.successThreshold ?? 1)) this.value = true;
    } else {
      this.passes = 0;
      if (++this.fails >= (this.probe.failureThreshold ?? 3)) this.value = false;
    }
    return this.value;
  }
}
