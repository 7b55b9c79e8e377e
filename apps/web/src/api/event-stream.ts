import { ApiError } from './api-error';
import { noteOutcome } from './connection';
import { apiUrl, errorFrom, handleUnauthorized } from './http';

export type StreamOutcome = { kind: 'ended' } | { kind: 'not-a-stream'; body: unknown };

/**
 * Reads `path` as Server-Sent Events over fetch (the session cookie goes with it, like every
 * same-origin request), so an error answer can be read in the server's words. A server that answers plain JSON instead (follow not implemented yet) gives
 * `not-a-stream` with that body, so the caller can fall back to polling.
 */
export async function readEventStream(
  path: string,
  query: Record<string, string | number | undefined>,
  onData: (data: unknown, event: string) => void,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), {
      headers: { accept: 'text/event-stream' },
      signal,
    });
  } catch (err) {
    if (!signal.aborted) noteOutcome(err);
    throw err;
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    noteOutcome(err);
    handleUnauthorized(err);
    throw err;
  }
  noteOutcome();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream') || !res.body) {
    const text = await res.text();
    return { kind: 'not-a-stream', body: text ? safeJson(text) : null };
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { kind: 'ended' };
    buffer += value;
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      dispatch(buffer.slice(0, cut), onData);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
    }
  }
}

function dispatch(block: string, onData: (data: unknown, event: string) => void): void {
  let event = 'message';
  const data: string[] = [];
  for (const raw of block.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return;
  const payload = safeJson(data.join('\n'));
  if (event === 'error') {
    const message =
      typeof payload === 'object' && payload && 'message' in payload ? payload.message : payload;
    throw new ApiError(500, 'STREAM_ERROR', String(message));
  }
  onData(payload, event);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
