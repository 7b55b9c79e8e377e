/** One message for the operator, in words, before a channel shapes it into its own payload. */
export interface Notification {
  /**
   * What kind of thing happened: `crash-loop`, `gave-up`, `unhealthy`, `node-unreachable`,
   * `node-reachable`, `build-failed`, `build-succeeded`, `port-conflict`, `port-moved`, `test`.
   */
  rule: string;
  title: string;
  text: string;
  severity: 'info' | 'warning' | 'error';
  instance: string | null;
  ts: number;
}
