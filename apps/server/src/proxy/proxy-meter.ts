/** Counts what the reverse proxy carries for each instance (berth's /metrics); must not throw. */
export interface ProxyMeter {
  request(instance: string): void;
  bytes(instance: string, direction: 'in' | 'out', n: number): void;
}
