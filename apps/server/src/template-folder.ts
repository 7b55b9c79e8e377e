import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  InvalidInput,
  isBerthError,
  parseTemplate,
  type Template,
  type TemplateFile,
  userMessage,
} from '@berth/core';
import type { ParseAnswer, ParseRequest } from './template-parse-worker.js';

const TEMPLATE_FILE = /\.(ya?ml|json)$/i;

/** Template files larger than this are refused unread; the files beside them still load. */
export const TEMPLATE_MAX_BYTES = 256 * 1024;
/** Files up to this size parse on the event loop (a few ms); larger ones in a worker thread. */
const INLINE_BYTES = 8 * 1024;
/** A parse that takes longer than this is stopped (its worker terminated) and the file refused. */
const PARSE_TIMEOUT_MS = 30_000;

/** A file that was skipped, with the reason; `field` names the template field at fault, when one is. */
export interface TemplateProblem {
  path: string;
  message: string;
  field?: string | null;
}

export interface TemplateFolder {
  files: TemplateFile[];
  /** Files that were skipped, each with the reason (too large, not a regular file; with `keepGoing`, invalid). */
  problems: TemplateProblem[];
}

export interface TemplateFolderOptions {
  maxFileBytes?: number;
  parseTimeoutMs?: number;
  /**
   * An invalid file is one more problem and the files after it still load (the folder watch); a
   * file gone between the listing and its read is left out. Without it a bad file throws.
   */
  keepGoing?: boolean;
}

/** One folder load at a time in this process: reloads wait for each other, never parse side by side. */
let loading: Promise<unknown> = Promise.resolve();

/**
 * Reads and parses every template file in the folder (creating the folder if missing), one file
 * at a time, large ones in a worker thread so the API keeps answering. A file over the size limit
 * is skipped and reported in `problems`; any bad file throws core's InvalidInput naming the file,
 * the field and the reason, before anything is written, and no further file is parsed — unless
 * `keepGoing`, when it is one more problem.
 */
export function readTemplateFolder(dir: string, opts: TemplateFolderOptions = {}): Promise<TemplateFolder> {
  const run = loading.then(() => load(dir, opts));
  loading = run.catch(() => undefined);
  return run;
}

async function load(dir: string, opts: TemplateFolderOptions): Promise<TemplateFolder> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => TEMPLATE_FILE.test(n)).sort();
  const out: TemplateFolder = { files: [], problems: [] };
  const parser = new TemplateParser(opts.parseTimeoutMs ?? PARSE_TIMEOUT_MS);
  try {
    for (const n of names) {
      const path = join(dir, n);
      const one = async () => {
        const read = await readBounded(path, opts.maxFileBytes ?? TEMPLATE_MAX_BYTES);
        if (typeof read !== 'string') out.problems.push({ path, message: read.problem });
        else out.files.push({ path, template: await parser.parse(read, path) });
      };
      if (!opts.keepGoing) await one();
      else
        await one().catch((err: unknown) => {
          if (!gone(err)) out.problems.push(problemOf(path, err));
        });
    }
  } finally {
    await parser.close();
  }
  return out;
}

/** A file removed between the listing and its read: nothing to load, nothing to report. */
function gone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** An invalid file as a problem: the message, and the first field it names (`ports[0].env`). */
function problemOf(path: string, err: unknown): TemplateProblem {
  const issues = isBerthError(err) ? err.details?.issues : undefined;
  const first = Array.isArray(issues) ? (issues[0] as { field?: unknown } | undefined) : undefined;
  const field =
    typeof first?.field === 'string' && first.field ? first.field.replace(/\.(\d+)/g, '[$1]') : null;
  return { path, message: userMessage(err), field };
}

/** The file's text, or why it is not read: not a regular file, or over `max` bytes. */
async function readBounded(path: string, max: number): Promise<string | { problem: string }> {
  const info = await stat(path);
  if (!info.isFile()) return { problem: `${path} is not a regular file; it was not loaded` };
  const tooLarge = (size: string) => ({
    problem: `${path} is ${size}; template files may be at most ${kib(max)}, so it was not loaded`,
  });
  if (info.size > max) return tooLarge(kib(info.size));
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > max) return tooLarge(`over ${kib(max)}`); // it grew since the stat
    }
    return buf.subarray(0, length).toString('utf8');
  } finally {
    await file.close();
  }
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** Parses small files in place and large ones in one worker thread, one at a time. */
class TemplateParser {
  private worker: Worker | undefined;

  constructor(private readonly timeoutMs: number) {}

  parse(text: string, path: string): Promise<Template> {
    if (Buffer.byteLength(text) <= INLINE_BYTES) return Promise.resolve(parseTemplate(text, path));
    this.worker ??= new Worker(new URL('./template-parse-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const worker = this.worker;
    return new Promise<Template>((resolve, reject) => {
      const refuse = (reason: string, cause?: unknown) =>
        new InvalidInput(`${path} cannot be parsed: ${reason}`, {
          code: 'INVALID_TEMPLATE',
          cause,
          details: { origin: path },
        });
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const abandon = (err: InvalidInput) => {
        done();
        this.worker = undefined;
        void worker.terminate();
        reject(err);
      };
      const onMessage = (a: ParseAnswer) => {
        done();
        if (a.ok) resolve(a.template as Template);
        else
          reject(new InvalidInput(a.message, { code: a.code, ...(a.details ? { details: a.details } : {}) }));
      };
      const onError = (err: unknown) => abandon(refuse(userMessage(err), err));
      const onExit = (code: number) => abandon(refuse(`the parser stopped (exit code ${code})`));
      const timer = setTimeout(
        () => abandon(refuse(`it took longer than ${this.timeoutMs / 1000} s`)),
        this.timeoutMs,
      );
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ text, path } satisfies ParseRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
