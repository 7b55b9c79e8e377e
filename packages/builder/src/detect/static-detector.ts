import type { Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { safeRelativePath } from './node-context.js';
import { evidence, isRecord, type TreeIndex } from './tree-index.js';

const ROOTS = ['index.html', 'public/index.html', 'dist/index.html', 'site/index.html', 'docs/index.html'];

/** Plain HTML with nothing to build. Scores low so that any real stack beside it wins. */
export function detectStatic(tree: TreeIndex): Candidate | undefined {
  const named = namedFolder(tree);
  if (named) {
    return candidate('static', {
      score: 60,
      evidence: [named.evidence],
      port: 8080,
      portFromEnv: true,
      staticDir: named.dir,
    });
  }
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

/**
 * A folder a static-site config names: `root:` of a Staticfile (Cloud Foundry's staticfile
 * buildpack), `hosting.public` of firebase.json, `publish` of a netlify.toml with no build command.
 */
function namedFolder(tree: TreeIndex): { dir: string; evidence: Evidence } | undefined {
  const staticfile = tree.text('Staticfile');
  if (staticfile !== undefined) {
    const root = /^\s*root\s*:\s*["']?([^"'\s#]{1,200})/m.exec(staticfile)?.[1];
    const dir = folder(tree, root);
    if (root === undefined)
      return { dir: '.', evidence: evidence('Staticfile', 'static site, served from the root') };
    if (dir) return { dir, evidence: evidence('Staticfile', `static site, root: ${dir}`) };
  }
  const firebase = tree.json('firebase.json');
  const hosting = isRecord(firebase?.hosting) ? firebase.hosting : undefined;
  const publicDir = folder(tree, typeof hosting?.public === 'string' ? hosting.public : undefined);
  if (publicDir && tree.has(`${publicDir === '.' ? '' : `${publicDir}/`}index.html`)) {
    return { dir: publicDir, evidence: evidence('firebase.json', `hosting.public: ${publicDir}`) };
  }
  const netlify = tree.text('netlify.toml');
  if (netlify !== undefined && !/^\s*command\s*=/m.test(netlify)) {
    const publish = folder(tree, /^\s*publish\s*=\s*["']([^"'\n]{1,200})["']/m.exec(netlify)?.[1]);
    if (publish && tree.has(`${publish === '.' ? '' : `${publish}/`}index.html`))
      return { dir: publish, evidence: evidence('netlify.toml', `publish = "${publish}", no build command`) };
  }
  return undefined;
}

/** A folder of the repository named by a config: `.`, or a safe relative path holding files. */
function folder(tree: TreeIndex, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.replace(/^\.\/?/, '').replace(/\/+$/, '');
  if (trimmed === '') return '.';
  const dir = safeRelativePath(trimmed);
  return dir && tree.hasDir(dir) ? dir : undefined;
}
