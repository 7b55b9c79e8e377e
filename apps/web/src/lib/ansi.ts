/** A run of text with the colours and weight the ANSI codes before it asked for. */
export interface AnsiSegment {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
// biome-ignore lint/complexity/useRegexLiterals: the escape character reads better spelled out
const SGR = new RegExp('\\u001b\\[([0-9;]*)m', 'g');
// biome-ignore lint/complexity/useRegexLiterals: as above
const OTHER_ESCAPES = new RegExp('\\u001b\\[[0-9;?]*[A-Za-ln-z]|\\u001b\\][^\\u0007]*\\u0007', 'g');

/** 256-colour index → CSS colour (the 16 basics map to class-free CSS variables). */
function xterm(n: number): string {
  if (n < 8) return `var(--ansi-${NAMES[n]})`;
  if (n < 16) return `var(--ansi-bright-${NAMES[n - 8]})`;
  if (n < 232) {
    const i = n - 16;
    const c = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${c(Math.floor(i / 36))}, ${c(Math.floor(i / 6) % 6)}, ${c(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g}, ${g}, ${g})`;
}

type Style = Omit<AnsiSegment, 'text'>;

function apply(style: Style, codes: number[]): Style {
  let s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? 0;
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) {
      s.bold = false;
      s.dim = false;
    } else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c >= 30 && c <= 37) s.fg = xterm(c - 30);
    else if (c >= 90 && c <= 97) s.fg = xterm(c - 90 + 8);
    else if (c === 39) delete s.fg;
    else if (c >= 40 && c <= 47) s.bg = xterm(c - 40);
    else if (c >= 100 && c <= 107) s.bg = xterm(c - 100 + 8);
    else if (c === 49) delete s.bg;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const colour = xterm(codes[i + 2] ?? 0);
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      const colour = `rgb(${codes[i + 2] ?? 0}, ${codes[i + 3] ?? 0}, ${codes[i + 4] ?? 0})`;
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += 4;
    }
  }
  return s;
}

/** Splits one log line into styled runs; escapes other than colours are dropped. */
export function parseAnsi(line: string): AnsiSegment[] {
  const text = line.replace(OTHER_ESCAPES, '');
  const out: AnsiSegment[] = [];
  let style: Style = {};
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), ...style });
    style = apply(
      style,
      (m[1] || '0').split(';').map((n) => Number(n) || 0),
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), ...style });
  return out;
}

/** The line without any escape codes (for search). */
export function stripAnsi(line: string): string {
  return line.replace(OTHER_ESCAPES, '').replace(SGR, '');
}
