import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@berth/contracts';

type ClientError = Error & { code?: string };

const ANSWERS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'The request head (URL and headers) is over the 16 KB the server reads',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: 'The request did not arrive in time',
  },
};

/**
 * Answers a request Node could not parse (an oversized head, a timeout, malformed HTTP) before
 * Fastify saw it, with the API's error envelope like every other error, then closes the
 * connection. Fastify's default answers `{ error: "<reason>", statusCode }` instead.
 */
export function answerClientError(err: ClientError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = ANSWERS[err.code ?? ''] ?? {
    status: 400,
    code: 'INVALID_INPUT',
    message: `The request is not valid HTTP (${err.code ?? 'parse error'})`,
  };
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
