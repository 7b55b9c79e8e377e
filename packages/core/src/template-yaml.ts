import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';

/** Aliases a document may expand (yaml's default too): an alias bomb is refused, not expanded. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text into plain data, refusing duplicate keys. yaml's own `uniqueKeys` check
 * compares every key with every earlier one (quadratic: 30,000 keys cost 18 s); this one keeps a
 * set per map, so the cost grows with the size of the text. Throws an Error whose first line says what
 * and where.
 */
export function parseYamlText(text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw first;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const at = pair.key.range?.[0] ?? 0;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          throw new Error(
            `duplicate key '${key}' at line ${lines.linePos(at).line} (first at line ${lines.linePos(earlier).line})`,
          );
        }
        seen.set(key, at);
      }
    },
  });
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}
