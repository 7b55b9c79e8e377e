import { type Candidate, candidate } from './candidate.js';
import { evidence, type TreeIndex } from './tree-index.js';

const ROOTS = ['index.html', 'public/index.html', 'dist/index.html', 'site/index.html', 'docs/index.html'];

/** Plain HTML with nothing to build. Scores low so that any real stack beside it wins. */
export function detectStatic(tree: TreeIndex): Candidate | undefined {
  const index = tree.first(...ROOTS);
  if (!index) return undefined;
  const dir = index.includes('/') ? index.slice(0, index.indexOf('/')) : '.';
  return candidate('static', {
    score: index === 'index.html' ? 50 : 40,
    framework: null,
    evidence: [evidence(index, 'static entry page')],
    port: 8080,
    portFromEnv: true,
    staticDir: dir,
  });
}
