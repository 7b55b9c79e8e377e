import { CliError } from './cli-error.js';

export interface SseMessage {
  event: string;
  data: unknown;
}

function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const raw of block.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}

/** The `data` of each Server-Sent Event of a response; an `error` event becomes a CliError. */
export async function* sseData(res: Response): AsyncGenerator<unknown> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const m = parseBlock(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (m?.event === 'error') {
          const e = m.data as { message?: string; code?: string };
          throw new CliError('unknown', e.message ?? 'the stream failed', e.code ?? 'STREAM_ERROR');
        }
        if (m) yield m.data;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** An AbortSignal that fires on Ctrl-C (the command then ends normally). */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  return ac.signal;
}
