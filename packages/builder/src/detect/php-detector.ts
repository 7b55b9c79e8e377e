import type { Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor, mergeDatabases } from './databases.js';
import { evidence, stringRecord, type TreeIndex } from './tree-index.js';
import { versionFromRange } from './version.js';

const DEFAULT_PHP = '8.3';

interface PhpFramework {
  name: string | null;
  /** The web root handed to the server; one of a fixed set, never a path from the repository. */
  docroot: '.' | 'public' | 'web';
  evidence: Evidence[];
}

export function detectPhp(tree: TreeIndex): Candidate | undefined {
  const composer = tree.json('composer.json');
  const hasPhp = tree.files.some((f) => f.endsWith('.php') && (composer !== undefined || !f.includes('/')));
  if (!composer && !hasPhp) return undefined;
  const require = { ...stringRecord(composer?.require), ...stringRecord(composer?.['require-dev']) };
  const fw = framework(tree, require);
  const found = composer ? [evidence('composer.json', `${Object.keys(require).length} requirements`)] : [];
  const wordpress = fw.name === 'wordpress';
  return candidate('php', {
    score: Math.min(100, (composer ? 55 : 20) + (hasPhp ? 15 : 0) + (fw.name ? 25 : 0)),
    framework: fw.name,
    evidence: [...found, ...fw.evidence],
    packageManager: composer ? 'composer' : null,
    runtimeVersion: versionFromRange(require.php, 2, DEFAULT_PHP),
    install: composer
      ? [['composer', 'install', '--no-dev', '--prefer-dist', '--no-interaction', '--optimize-autoloader']]
      : [],
    // PHP's built-in server, on $PORT; see the generated Dockerfile for why.
    start: ['sh', '-c', `exec php -S "0.0.0.0:$PORT" -t ${fw.docroot}`],
    port: 8080,
    portFromEnv: true,
    databases: mergeDatabases(
      databasesFor('php', Object.keys(require)),
      envDatabase(tree),
      wordpress ? ['mysql'] : [],
    ),
  });
}

function framework(tree: TreeIndex, require: Record<string, string>): PhpFramework {
  if (require['laravel/framework'] !== undefined || tree.has('artisan')) {
    return {
      name: 'laravel',
      docroot: 'public',
      evidence: [evidence(tree.has('artisan') ? 'artisan' : 'composer.json', 'Laravel')],
    };
  }
  if (require['symfony/framework-bundle'] !== undefined || tree.has('symfony.lock')) {
    return {
      name: 'symfony',
      docroot: 'public',
      evidence: [evidence('composer.json', 'requires symfony/framework-bundle')],
    };
  }
  const drupal = drupalOf(tree, require);
  if (drupal) return drupal;
  const wp = tree.first('wp-config.php', 'wp-config-sample.php', 'wp-includes/version.php', 'wp-login.php');
  if (wp) return { name: 'wordpress', docroot: '.', evidence: [evidence(wp, 'WordPress')] };
  const docroot = tree.has('public/index.php') ? 'public' : '.';
  if (require['slim/slim'] !== undefined) {
    return { name: 'slim', docroot, evidence: [evidence('composer.json', 'requires slim/slim')] };
  }
  const index = docroot === 'public' ? 'public/index.php' : 'index.php';
  return { name: null, docroot, evidence: tree.has(index) ? [evidence(index, 'front controller')] : [] };
}

/** Laravel and friends name their database in .env.example: `DB_CONNECTION=pgsql`. */
function envDatabase(tree: TreeIndex): ('postgres' | 'mysql')[] {
  const driver = /^DB_CONNECTION=(\w+)/m.exec(tree.text('.env.example') ?? '')?.[1];
  if (driver === 'pgsql') return ['postgres'];
  if (driver === 'mysql' || driver === 'mariadb') return ['mysql'];
  return [];
}

/** Drupal: its core as a Composer requirement (the recommended project serves web/) or in the tree. */
function drupalOf(tree: TreeIndex, require: Record<string, string>): PhpFramework | undefined {
  const dep = ['drupal/core-recommended', 'drupal/core'].find((d) => require[d] !== undefined);
  const core = tree.first('web/core/lib/Drupal.php', 'core/lib/Drupal.php');
  if (!dep && !core) return undefined;
  const docroot =
    tree.has('web/index.php') || core?.startsWith('web/') || (dep && !tree.has('index.php')) ? 'web' : '.';
  return {
    name: 'drupal',
    docroot,
    evidence: [evidence(dep ? 'composer.json' : core!, dep ? `requires ${dep}` : 'Drupal core')],
  };
}
