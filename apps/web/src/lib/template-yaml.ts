/**
 * YAML for the template editor: `yaml` is loaded only when the editor opens (its own chunk), so
 * the pages that never edit a template do not carry it. Errors point at lines: the parser's own,
 * and the API's validation issues (`details.issues[].field`, a path like `body.ports.0.preferred`)
 * found in the text's document.
 */

type YamlModule = typeof import('yaml');
let loading: Promise<YamlModule> | undefined;

export function loadYaml(): Promise<YamlModule> {
  loading ??= import('yaml');
  return loading;
}

/** A problem at a line of the text (1-based); `field` when it came from the API's validation. */
export interface LineProblem {
  line: number;
  field?: string;
  message: string;
}

export type Parsed = { ok: true; data: unknown } | { ok: false; problems: LineProblem[] };

export function toYaml(y: YamlModule, data: unknown): string {
  return y.stringify(data, { lineWidth: 0 });
}

/** The text as data, or each syntax error at its line (a duplicate key is one too). */
export function parseYaml(y: YamlModule, text: string): Parsed {
  const doc = y.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const lines = new y.LineCounter();
    y.parseDocument(text, { lineCounter: lines });
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  return { ok: true, data: doc.toJS() };
}

/** `body.ports.0.preferred` → ['ports', '0', 'preferred']. */
export function fieldPath(field: string): string[] {
  return field
    .replace(/^body\.?/, '')
    .split('.')
    .filter(Boolean);
}

/**
 * The line each issue's field is written on: the deepest part of its path the text has (a field
 * that is missing points at the key that should hold it).
 */
export function issueLines(
  y: YamlModule,
  text: string,
  issues: readonly { field: string; message: string }[],
): LineProblem[] {
  const counter = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter: counter });
  return issues.map((issue) => {
    let node: unknown = doc.contents;
    let offset = 0;
    for (const part of fieldPath(issue.field)) {
      if (y.isMap(node)) {
        const pair = node.items.find((p) => y.isScalar(p.key) && String(p.key.value) === part);
        if (!pair) break;
        offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (y.isSeq(node)) {
        const item = node.items[Number(part)] as { range?: [number, number, number] } | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return {
      line: counter.linePos(offset).line,
      field: fieldPath(issue.field).join('.'),
      message: issue.message,
    };
  });
}
