/** What an entry file says about its port: whether it reads `PORT`, and a literal it falls back to. */
export interface SourcePort {
  fromEnv: boolean;
  literal: number | null;
}

// Each pattern is linear: no nested quantifiers, bounded repetition, applied to a capped prefix.
const ENV_PATTERNS = [
  /process\.env\.PORT\b/,
  /process\.env\[["']PORT["']\]/,
  /Bun\.env\.PORT\b/,
  /os\.(?:environ\.get|getenv)\(\s*["']PORT["']/,
  /os\.environ\[["']PORT["']\]/,
  /os\.Getenv\(\s*"PORT"\s*\)/,
  /os\.LookupEnv\(\s*"PORT"\s*\)/,
  /ENV(?:\.fetch\(|\[)\s*["']PORT["']/,
  /env::var\(\s*"PORT"\s*\)/,
  /getenv\(\s*["']PORT["']\s*\)/,
  /\$_(?:ENV|SERVER)\[["']PORT["']\]/,
];

const LITERAL_PATTERNS = [
  /\bPORT\b[^\n=]{0,20}(?:\|\||\?\?|or|unwrap_or)\s{0,4}\(?\s{0,4}["']?(\d{2,5})\b/,
  // `process.env.PORT ? Number(process.env.PORT) : 3333`
  /\bPORT\b[^\n?]{0,10}\?[^\n:]{0,40}:\s{0,4}["']?(\d{2,5})\b/,
  /\.listen\(\s{0,4}(\d{2,5})\b/,
  /\blisten\(\s{0,4}["']:(\d{2,5})["']/,
  /\.(?:Run|Start|Listen|ListenAndServe)\(\s{0,4}["'](?:0\.0\.0\.0|localhost|127\.0\.0\.1)?:(\d{2,5})["']/,
  /\bhttp\.ListenAndServe\(\s{0,4}["'](?:0\.0\.0\.0)?:(\d{2,5})["']/,
  /["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost):(\d{2,5})["']/,
  /\(\s{0,4}["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost)["']\s{0,4},\s{0,4}(\d{2,5})\s{0,4}\)/,
  /\bport\s{0,4}[=:]\s{0,4}(\d{2,5})\b/,
  // Go's `if port == "" { port = "3000" }`, and `port := ":8080"`.
  /\bport\s{0,4}:?=\s{0,4}["']:?(\d{2,5})["']/i,
];

const MAX_SCAN = 64 * 1024;

export function sourcePort(text: string | undefined): SourcePort {
  if (text === undefined) return { fromEnv: false, literal: null };
  const head = text.slice(0, MAX_SCAN);
  const fromEnv = ENV_PATTERNS.some((p) => p.test(head));
  for (const pattern of LITERAL_PATTERNS) {
    const m = pattern.exec(head);
    const port = m?.[1] === undefined ? Number.NaN : Number(m[1]);
    if (port >= 80 && port <= 65535) return { fromEnv, literal: port };
  }
  return { fromEnv, literal: null };
}

/** Combine the hints of several files: any that reads `PORT`, the first literal. */
export function sourcePortOf(texts: (string | undefined)[]): SourcePort {
  const hints = texts.map(sourcePort);
  return {
    fromEnv: hints.some((h) => h.fromEnv),
    literal: hints.find((h) => h.literal !== null)?.literal ?? null,
  };
}
