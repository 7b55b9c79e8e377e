/** An argument vector as one line a person can read and edit: words with spaces or quotes are quoted. */
export function formatArgv(argv: readonly string[] | null | undefined): string {
  if (!argv) return '';
  return argv.map((a) => (a === '' || /[\s"'\\]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/**
 * Splits a command line into its arguments the way a POSIX shell splits words (single and double
 * quotes, backslash escapes) — no expansion: `sh -c 'exec node server.js'` → ['sh', '-c', 'exec node server.js'].
 * Throws on an unclosed quote.
 */
export function parseArgv(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && /["\\$`]/.test(line[i + 1] as string)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`the ${quote === '"' ? 'double' : 'single'} quote is not closed`);
  if (inWord) out.push(word);
  return out;
}
