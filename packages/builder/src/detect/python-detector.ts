import type { Command, Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor } from './databases.js';
import { sourcePortOf } from './source-port.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionFromRange, versionIn } from './version.js';

const DEFAULT_PYTHON = '3.12';
const MANIFESTS = ['requirements.txt', 'pyproject.toml', 'Pipfile', 'setup.py'];
const APP_FILES = [
  'app.py',
  'main.py',
  'wsgi.py',
  'application.py',
  'server.py',
  'app/main.py',
  'src/main.py',
  'app/__init__.py',
];
/** `module:variable`, as gunicorn and uvicorn take it; nothing a shell could misread. */
const APP_REF = /^[A-Za-z_][\w.]{0,100}:[A-Za-z_]\w{0,60}$/;

export function detectPython(tree: TreeIndex): Candidate | undefined {
  const manifests = MANIFESTS.filter((m) => tree.has(m));
  // Without a manifest, only Python files at the root make it a Python app (not a script in a subfolder).
  const hasPy = tree.files.some((f) => f.endsWith('.py') && (manifests.length > 0 || !f.includes('/')));
  if (manifests.length === 0 && !hasPy) return undefined;
  const deps = dependencyNames(tree, manifests);
  const pm = packageManager(tree);
  const fw = framework(tree, deps);
  const found: Evidence[] = manifests.map((m) => evidence(m, 'Python dependencies'));
  if (fw.evidence) found.push(fw.evidence);
  return candidate('python', {
    score: Math.min(100, (manifests.length > 0 ? 60 : 25) + (hasPy ? 10 : 0) + (fw.name ? 25 : 0)),
    framework: fw.name,
    evidence: [...found, ...pm.evidence],
    packageManager: pm.name,
    runtimeVersion: runtimeVersion(tree),
    install: [...pm.install, ...serverInstall(fw.name, deps)],
    start: fw.start,
    port: fw.port,
    portFromEnv: fw.portFromEnv,
    databases: databasesFor('python', deps),
    notes: fw.notes,
  });
}

function dependencyNames(tree: TreeIndex, manifests: string[]): Set<string> {
  const names = new Set<string>();
  for (const m of manifests) {
    const text = tree.text(m) ?? '';
    // A dependency name starts a line or follows a quote: `flask==3`, `"fastapi>=0.1"`, `django = "*"`.
    for (const match of text.matchAll(
      /(?:^|["'])\s{0,8}([A-Za-z][\w.-]{0,80})(?=\s{0,4}(?:[=<>~![;,"']|$))/gm,
    )) {
      names.add(match[1]!.toLowerCase().replace(/_/g, '-'));
    }
  }
  return names;
}

interface PythonTooling {
  name: string;
  evidence: Evidence[];
  install: Command[];
}

function packageManager(tree: TreeIndex): PythonTooling {
  const pyproject = tree.text('pyproject.toml') ?? '';
  if (tree.has('uv.lock')) {
    return tooling('uv', 'uv.lock', [
      ['pip', 'install', '--no-cache-dir', 'uv'],
      ['uv', 'pip', 'install', '--system', '--no-cache', '-r', 'pyproject.toml'],
    ]);
  }
  if (tree.has('poetry.lock') || pyproject.includes('[tool.poetry]')) {
    return tooling('poetry', tree.has('poetry.lock') ? 'poetry.lock' : 'pyproject.toml', [
      ['pip', 'install', '--no-cache-dir', 'poetry'],
      ['poetry', 'config', 'virtualenvs.create', 'false'],
      ['poetry', 'install', '--only', 'main', '--no-root', '--no-interaction'],
    ]);
  }
  if (tree.has('pdm.lock') || pyproject.includes('[tool.pdm]')) {
    return tooling('pdm', tree.has('pdm.lock') ? 'pdm.lock' : 'pyproject.toml', [
      ['pip', 'install', '--no-cache-dir', 'pdm'],
      ['pdm', 'export', '--prod', '--without-hashes', '-o', '/tmp/requirements.txt'],
      ['pip', 'install', '--no-cache-dir', '-r', '/tmp/requirements.txt'],
    ]);
  }
  if (tree.has('Pipfile')) {
    return tooling('pipenv', 'Pipfile', [
      ['pip', 'install', '--no-cache-dir', 'pipenv'],
      ['pipenv', 'install', '--system', '--deploy'],
    ]);
  }
  if (tree.has('requirements.txt')) {
    return {
      name: 'pip',
      evidence: [],
      install: [['pip', 'install', '--no-cache-dir', '-r', 'requirements.txt']],
    };
  }
  if (pyproject.includes('[project]') || tree.has('setup.py')) {
    return { name: 'pip', evidence: [], install: [['pip', 'install', '--no-cache-dir', '.']] };
  }
  return { name: 'pip', evidence: [], install: [] };
}

function tooling(name: string, file: string, install: Command[]): PythonTooling {
  return { name, evidence: [evidence(file, `managed by ${name}`)], install };
}

interface PythonFramework {
  name: string | null;
  evidence?: Evidence;
  start: Command | null;
  port: number;
  portFromEnv: boolean;
  notes: string[];
}

function framework(tree: TreeIndex, deps: Set<string>): PythonFramework {
  if (deps.has('django') || tree.has('manage.py')) return django(tree);
  if (deps.has('python-fasthtml')) return fasthtml(tree);
  if (deps.has('fastapi')) return asgi(tree, 'fastapi', 'FastAPI');
  if (deps.has('pyramid')) return pyramid(tree);
  if (deps.has('tornado')) return tornado(tree);
  if (deps.has('flask')) return wsgi(tree, 'flask', 'Flask');
  return plain(tree);
}

/** FastHTML: `app, rt = fast_app()` (or `FastHTML()`), an ASGI app run by uvicorn; its own serve() uses 5001. */
function fasthtml(tree: TreeIndex): PythonFramework {
  const assignment =
    /^([A-Za-z_]\w{0,60})\s{0,4}(?:,\s{0,4}[A-Za-z_]\w{0,60}\s{0,4}){0,3}=\s{0,4}(?:fast_app|FastHTML)\(/m;
  for (const file of APP_FILES) {
    const variable = assignment.exec(tree.text(file) ?? '')?.[1];
    if (!variable) continue;
    const ref = `${moduleOf(file)}:${variable}`;
    if (!APP_REF.test(ref)) continue;
    return {
      name: 'fasthtml',
      evidence: evidence(file, `FastHTML app "${ref}", served by uvicorn`),
      start: ['sh', '-c', `exec uvicorn ${ref} --host 0.0.0.0 --port "$PORT"`],
      port: 5001,
      portFromEnv: true,
      notes: [],
    };
  }
  return {
    name: 'fasthtml',
    start: null,
    port: 5001,
    portFromEnv: false,
    notes: ['no fast_app() application found'],
  };
}

/**
 * Pyramid: `pserve` with the project's ini (its [server:main] names the port, 6543 by
 * convention), else a script that serves the app itself.
 */
function pyramid(tree: TreeIndex): PythonFramework {
  const ini = tree.first('production.ini', 'development.ini');
  if (ini) {
    const text = tree.text(ini) ?? '';
    const port = Number(/^\s*(?:listen\s*=\s*[^\s:]*:|port\s*=\s*)(\d{2,5})\b/m.exec(text)?.[1] ?? 6543);
    const local = /^\s*listen\s*=\s*(?:localhost|127\.0\.0\.1):/m.test(text);
    return {
      name: 'pyramid',
      evidence: evidence(ini, `Pyramid app served by pserve on ${port}`),
      start: ['pserve', ini],
      port,
      portFromEnv: false,
      notes: local ? [`${ini} listens on localhost only: the container would not be reachable`] : [],
    };
  }
  return selfServing(tree, 'pyramid', /\bpyramid\b/, 6543);
}

/** Tornado apps start their own server: `app.listen(8888)` in the script run with python. */
function tornado(tree: TreeIndex): PythonFramework {
  return selfServing(tree, 'tornado', /\btornado\b/, 8888);
}

function selfServing(tree: TreeIndex, name: string, imports: RegExp, fallback: number): PythonFramework {
  // The usual names first, then any script at the root that imports the framework and starts a server.
  const rootScripts = tree.files.filter(
    (f) => f.endsWith('.py') && !f.includes('/') && !APP_FILES.includes(f),
  );
  const file =
    APP_FILES.find(
      (f) => f.endsWith('.py') && !f.endsWith('__init__.py') && imports.test(tree.text(f) ?? ''),
    ) ??
    rootScripts.find((f) => {
      const text = tree.text(f) ?? '';
      return imports.test(text) && /\.listen\(|make_server\(|serve_forever\(/.test(text);
    });
  if (!file)
    return { name, start: null, port: fallback, portFromEnv: false, notes: [`no ${name} script found`] };
  const hint = sourcePortOf([tree.text(file)]);
  return {
    name,
    evidence: evidence(file, `${name} app that serves itself`),
    start: ['python', file],
    port: hint.literal ?? fallback,
    portFromEnv: hint.fromEnv,
    notes: [],
  };
}

function moduleOf(file: string): string {
  return file
    .replace(/\/__init__\.py$/, '')
    .replace(/\.py$/, '')
    .replace(/\//g, '.');
}

function django(tree: TreeIndex): PythonFramework {
  const manage = tree.text('manage.py') ?? '';
  const settings = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w]{0,60})\.settings["']/.exec(
    manage,
  )?.[1];
  const base = {
    name: 'django',
    evidence: evidence('manage.py', 'Django project'),
    port: 8000,
    notes: [] as string[],
  };
  if (!settings)
    return {
      ...base,
      start: null,
      portFromEnv: false,
      notes: ['manage.py does not name the settings module'],
    };
  // gunicorn binds 0.0.0.0:$PORT by itself when PORT is set.
  return { ...base, start: ['gunicorn', `${settings}.wsgi`], portFromEnv: true };
}

function wsgi(tree: TreeIndex, name: string, ctor: string): PythonFramework {
  const ref = appReference(tree, ctor);
  if (!ref)
    return { name, start: null, port: 5000, portFromEnv: false, notes: [`no ${ctor}() application found`] };
  return {
    name,
    evidence: evidence(ref.file, `${ctor} app "${ref.ref}"`),
    start: ['gunicorn', ref.ref],
    port: 5000,
    portFromEnv: true,
    notes: [],
  };
}

function asgi(tree: TreeIndex, name: string, ctor: string): PythonFramework {
  const ref = appReference(tree, ctor);
  if (!ref)
    return { name, start: null, port: 8000, portFromEnv: false, notes: [`no ${ctor}() application found`] };
  return {
    name,
    evidence: evidence(ref.file, `${ctor} app "${ref.ref}"`),
    start: ['sh', '-c', `exec uvicorn ${ref.ref} --host 0.0.0.0 --port "$PORT"`],
    port: 8000,
    portFromEnv: true,
    notes: [],
  };
}

function appReference(tree: TreeIndex, ctor: string): { file: string; ref: string } | undefined {
  const assignment = new RegExp(`^([A-Za-z_]\\w{0,60})\\s{0,4}(?::[^=\\n]{0,40})?=\\s{0,4}${ctor}\\(`, 'm');
  for (const file of APP_FILES) {
    const variable = assignment.exec(tree.text(file) ?? '')?.[1];
    if (!variable) continue;
    const module = file
      .replace(/\/__init__\.py$/, '')
      .replace(/\.py$/, '')
      .replace(/\//g, '.');
    const ref = `${module}:${variable}`;
    if (APP_REF.test(ref)) return { file, ref };
  }
  return undefined;
}

function plain(tree: TreeIndex): PythonFramework {
  const file = APP_FILES.find((f) => f.endsWith('.py') && !f.endsWith('__init__.py') && tree.has(f));
  if (!file)
    return {
      name: null,
      start: null,
      port: 8000,
      portFromEnv: false,
      notes: ['no entry file (app.py, main.py, …)'],
    };
  const hint = sourcePortOf([tree.text(file)]);
  return {
    name: null,
    evidence: evidence(file, 'entry file'),
    start: ['python', file],
    port: hint.literal ?? 8000,
    portFromEnv: hint.fromEnv,
    notes: [],
  };
}

/** The app server the start command needs, when the dependencies do not already bring it. */
function serverInstall(fw: string | null, deps: Set<string>): Command[] {
  if ((fw === 'django' || fw === 'flask') && !deps.has('gunicorn'))
    return [['pip', 'install', '--no-cache-dir', 'gunicorn']];
  if (fw === 'fastapi' && !deps.has('uvicorn')) return [['pip', 'install', '--no-cache-dir', 'uvicorn']];
  if (fw === 'pyramid' && !deps.has('waitress')) return [['pip', 'install', '--no-cache-dir', 'waitress']];
  return [];
}

function runtimeVersion(tree: TreeIndex): string | null {
  const pinned = versionIn(tree.text('.python-version'), 2) ?? versionIn(tree.text('runtime.txt'), 2);
  if (pinned) return pinned;
  const requires = /requires-python\s*=\s*["']([^"'\n]{1,40})["']/.exec(
    tree.text('pyproject.toml') ?? '',
  )?.[1];
  return versionFromRange(requires, 2, DEFAULT_PYTHON);
}
