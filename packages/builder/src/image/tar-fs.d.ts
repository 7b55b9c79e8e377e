/** The part of tar-fs 2 (no published types) that build-context.ts uses. */
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';

  export interface Header {
    name: string;
    mode?: number;
    mtime?: Date;
    size?: number;
    type?: string;
    uid?: number;
    gid?: number;
  }

  export interface Pack extends Readable {
    entry(header: Header, content: string | Buffer, callback?: (err?: Error) => void): unknown;
    finalize(): void;
  }

  export interface PackOptions {
    /** Called with the absolute path of every file and directory; true leaves it out. */
    ignore?: (path: string) => boolean;
    map?: (header: Header) => Header;
    finalize?: boolean;
    finish?: (pack: Pack) => void;
  }

  export function pack(cwd: string, options?: PackOptions): Pack;
}
