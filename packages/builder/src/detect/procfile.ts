import type { TreeIndex } from './tree-index.js';

/** The `web:` process of a Procfile (Heroku's convention), if there is one. */
export function procfileWeb(tree: TreeIndex): string | undefined {
  const text = tree.text('Procfile');
  if (text === undefined) return undefined;
  const line = /^web:[ \t]*([^\n\r]{1,1000})$/m.exec(text)?.[1]?.trim();
  return line ? line : undefined;
}
