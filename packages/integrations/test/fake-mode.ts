import type { IncomingMessage, ServerResponse } from 'node:http';

/** `ok` answers; `slow` answers after `slowMs`; `dead` drops every connection unanswered. */
export type FakeMode = 'ok' | 'slow' | 'dead';

export interface FakeControl {
  mode: FakeMode;
  slowMs: number;
}

/** Applies the mode; resolves true when the request should be answered now. */
export async function applyMode(control: FakeControl, req: IncomingMessage): Promise<boolean> {
  if (control.mode === 'dead') {
    req.socket.destroy();
    return false;
  }
  if (control.mode === 'slow') await new Promise((r) => setTimeout(r, control.slowMs).unref());
  return !req.socket.destroyed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
