import type { Command } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor } from './databases.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const INSTALL: Command[] = [
  ['bundle', 'config', 'set', '--local', 'without', 'development test'],
  ['bundle', 'install', '--jobs', '4'],
];

export function detectRuby(tree: TreeIndex): Candidate | undefined {
  const gemfile = tree.text('Gemfile');
  if (gemfile === undefined) return undefined;
  const gems = new Set([...gemfile.matchAll(/^\s*gem\s+["']([\w.-]{1,80})["']/gm)].map((m) => m[1]!));
  const fw = framework(tree, gems);
  return candidate('ruby', {
    score: Math.min(100, 60 + (tree.has('Gemfile.lock') ? 5 : 0) + (fw.name ? 30 : 0)),
    framework: fw.name,
    evidence: [evidence('Gemfile', `${gems.size} gems`), ...(fw.file ? [evidence(fw.file, fw.reason)] : [])],
    packageManager: 'bundler',
    runtimeVersion:
      versionIn(tree.text('.ruby-version'), 2) ?? versionIn(/^\s*ruby\s+["']([\d.]+)/m.exec(gemfile)?.[1], 2),
    install: INSTALL,
    start: fw.start,
    port: fw.port,
    portFromEnv: fw.start !== null,
    healthPath: fw.healthPath,
    databases: databasesFor('ruby', gems),
    notes: fw.start ? [] : ['no config.ru or Rails application to start'],
  });
}

interface RubyFramework {
  name: string | null;
  file?: string;
  reason: string;
  start: Command | null;
  port: number;
  healthPath: string;
}

function framework(tree: TreeIndex, gems: Set<string>): RubyFramework {
  if (gems.has('rails') || tree.has('config/application.rb')) {
    // `rails server` takes its port from $PORT; Rails 7.1 apps answer /up when healthy.
    const up = /rails\/health#show/.test(tree.text('config/routes.rb') ?? '');
    return {
      name: 'rails',
      file: tree.has('config/application.rb') ? 'config/application.rb' : 'Gemfile',
      reason: 'Rails application',
      start: ['bundle', 'exec', 'rails', 'server', '-b', '0.0.0.0'],
      port: 3000,
      healthPath: up ? '/up' : '/',
    };
  }
  const rack = tree.has('config.ru');
  const rackStart: Command = ['sh', '-c', 'exec bundle exec rackup -o 0.0.0.0 -p "$PORT"'];
  if (gems.has('hanami') || tree.has('config/app.rb')) {
    // Hanami 2 is a Rack app (config.ru) whose own server defaults to 2300.
    return {
      name: 'hanami',
      file: tree.has('config/app.rb') ? 'config/app.rb' : 'Gemfile',
      reason: 'Hanami application',
      start: rack ? rackStart : ['sh', '-c', 'exec bundle exec hanami server --host 0.0.0.0 --port "$PORT"'],
      port: 2300,
      healthPath: '/',
    };
  }
  if (gems.has('sinatra')) {
    return {
      name: 'sinatra',
      file: 'Gemfile',
      reason: 'requires sinatra',
      start: rack ? rackStart : sinatraFile(tree),
      port: 4567,
      healthPath: '/',
    };
  }
  if (rack)
    return {
      name: 'rack',
      file: 'config.ru',
      reason: 'Rack application',
      start: rackStart,
      port: 9292,
      healthPath: '/',
    };
  return { name: null, reason: '', start: null, port: 3000, healthPath: '/' };
}

/** A classic Sinatra script takes `-o` and `-p` itself. */
function sinatraFile(tree: TreeIndex): Command | null {
  const file = ['app.rb', 'server.rb', 'main.rb'].find((f) => tree.has(f));
  return file ? ['sh', '-c', `exec bundle exec ruby ${file} -o 0.0.0.0 -p "$PORT"`] : null;
}
