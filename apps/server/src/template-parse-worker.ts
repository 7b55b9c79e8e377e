import { parentPort } from 'node:worker_threads';
import { type BerthErrorCode, isBerthError, parseTemplate, userMessage } from '@berth/core';

/** A request from `TemplateParser`: the text of one template file and its path. */
export interface ParseRequest {
  text: string;
  path: string;
}

/** The answer: the validated template, or the reason it was refused (InvalidInput's fields). */
export type ParseAnswer =
  | { ok: true; template: unknown }
  | { ok: false; message: string; code: BerthErrorCode; details: Record<string, unknown> | undefined };

/**
 * Parses template files off the server's event loop: yaml and zod on a 200 KiB file take the
 * better part of a second, and a request must never wait for that.
 */
parentPort?.on('message', ({ text, path }: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    answer = { ok: true, template: parseTemplate(text, path) };
  } catch (err) {
    answer = isBerthError(err)
      ? { ok: false, message: err.message, code: err.code, details: err.details }
      : {
          ok: false,
          message: `${path} cannot be parsed: ${userMessage(err)}`,
          code: 'INVALID_TEMPLATE',
          details: { origin: path },
        };
  }
  parentPort?.postMessage(answer);
});
