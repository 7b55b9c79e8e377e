import type { KubeProxy } from './kube-proxy.js';
import type { KubeObject } from './object-store.js';
import { invalid, type StatusCause } from './status.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

/**
 * The Service registry's allocators: a ClusterIP from 10.96.0.0/16 and NodePorts from the
 * configured range (30000–32767 by default), answering the real 422s for a port out of range or
 * already allocated.
 */
export class ServiceAllocator {
  private readonly owners = new Map<number, string>();
  private nextIp = 10;

  constructor(
    private readonly range: { from: number; to: number },
    private readonly proxy: KubeProxy,
  ) {}

  /** Fills in clusterIP, targetPort, protocol and nodePorts of a Service being created or replaced. */
  async allocate(svc: KubeObject, old?: KubeObject): Promise<void> {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    spec.type ??= 'ClusterIP';
    if (!spec.clusterIP)
      spec.clusterIP =
        oldSpec.clusterIP ?? `10.96.${Math.floor(this.nextIp / 250)}.${(this.nextIp++ % 250) + 1}`;
    spec.clusterIPs = [spec.clusterIP];
    const wantsNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const causes: StatusCause[] = [];
    const ports = spec.ports ?? [];
    for (const p of ports) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
      if (!wantsNodePorts) delete p.nodePort;
      else p.nodePort ??= oldSpec.ports?.find((o) => o.port === p.port && o.nodePort)?.nodePort;
    }
    if (wantsNodePorts) await this.assign(ports, owner, causes);
    if (causes.length > 0) {
      this.releaseNew(ports, old, owner);
      throw invalid({ group: '', kind: 'Service', plural: 'services', name: svc.metadata.name }, causes);
    }
    for (const p of oldSpec.ports ?? []) {
      if (p.nodePort && !ports.some((n) => n.nodePort === p.nodePort)) this.release(p.nodePort);
    }
    svc.spec = spec;
  }

  private async assign(ports: ServicePort[], owner: string, causes: StatusCause[]): Promise<void> {
    const [ns, name] = owner.split('/') as [string, string];
    for (const [i, p] of ports.entries()) {
      const field = `spec.ports[${i}].nodePort`;
      if (p.nodePort !== undefined) {
        const n = p.nodePort;
        if (n < this.range.from || n > this.range.to) {
          causes.push(
            bad(
              field,
              n,
              `provided port is not in the valid range. The range of valid ports is ${this.range.from}-${this.range.to}`,
            ),
          );
        } else if (
          (this.owners.has(n) && this.owners.get(n) !== owner) ||
          !(await this.take(n, owner, ns, name, i))
        ) {
          causes.push(bad(field, n, 'provided port is already allocated'));
        }
        continue;
      }
      const free = await this.pick(owner, ns, name, i);
      if (free === undefined) causes.push({ reason: 'FieldValueInvalid', message: 'range is full', field });
      else p.nodePort = free;
    }
  }

  private async take(n: number, owner: string, ns: string, name: string, index: number): Promise<boolean> {
    if (this.owners.get(n) === owner) return true;
    if (!(await this.proxy.open(n, ns, name, index))) return false;
    this.owners.set(n, owner);
    return true;
  }

  private async pick(owner: string, ns: string, name: string, index: number): Promise<number | undefined> {
    const size = this.range.to - this.range.from + 1;
    const start = Math.floor(Math.random() * size);
    for (let k = 0; k < size; k++) {
      const n = this.range.from + ((start + k) % size);
      if (!this.owners.has(n) && (await this.take(n, owner, ns, name, index))) return n;
    }
    return undefined;
  }

  private releaseNew(ports: ServicePort[], old: KubeObject | undefined, owner: string): void {
    const kept = new Set(((old?.spec as ServiceSpec | undefined)?.ports ?? []).map((p) => p.nodePort));
    for (const p of ports) {
      if (p.nodePort && !kept.has(p.nodePort) && this.owners.get(p.nodePort) === owner)
        this.release(p.nodePort);
    }
  }

  /** Frees the nodePorts of a deleted Service. */
  releaseService(svc: KubeObject): void {
    for (const p of (svc.spec as ServiceSpec | undefined)?.ports ?? [])
      if (p.nodePort) this.release(p.nodePort);
  }

  private release(n: number): void {
    this.owners.delete(n);
    this.proxy.close(n);
  }
}

const bad = (field: string, value: number, why: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${value}: ${why}`,
  field,
});
