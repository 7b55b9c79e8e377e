/** Counts what the reverse proxy carries for each instance (berth's /metrics); must not throw. */
export interface ProxyMeter {
  /** `n` requests (1 unless a proxy worker reports several at once). */
  request(instance: string, n?: number): void;
  bytes(instance: string, direction: 'in' | 'out', n: number): void;
}
