import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type BuildRecord,
  type BuildSummary,
  type DetectResult,
  FINISHED_BUILD_STATUSES,
  type InstanceView,
} from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { BuildProgressBar } from '../builds/build-progress-bar.js';
import { type DeployBody, deployBody } from '../builds/deploy-body.js';
import { formatDetection } from '../builds/format-detection.js';
import { canPrompt, clientOf, err, out, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import type { CliErrorKind } from '../exit-codes.js';
import { withProgress } from '../progress.js';
import { ask } from '../prompt.js';
import { formatTable } from '../table.js';

const POLL_MS = 400;

/** A path that exists here is sent as an absolute path; anything else is a git URL for the server to check. */
function sourceArg(source: string): string {
  return existsSync(source) ? resolve(source) : source;
}

export function registerBuildCommands(program: Command): void {
  program
    .command('detect <source>')
    .description('show what berth finds in a repository (a path or a git URL) and what it would build')
    .option(
      '--app <app>',
      'in a monorepo or a multi-project build (Go workspace, Gradle, Maven): the app to deploy (its folder or name)',
    )
    .option('--json', 'print JSON')
    .action(async (source: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const body = { source: sourceArg(source), ...(opts.app ? { app: String(opts.app) } : {}) };
      const v = await withProgress('Detecting…', api.post<DetectResult>('/builds/detect', body));
      show(v, opts.json, formatDetection);
    });

  program
    .command('deploy <source>')
    .description('build a repository (a path or a git URL) into an image and run it as an instance')
    .option('--name <name>', 'app name: template, instance and image (default: from the source)')
    .option(
      '--db <kind>',
      'a database beside the app: postgres, mysql, mongodb, redis, or none (repeatable; default: the detected ones)',
      collect,
      [],
    )
    .option('--port <port>', 'the port the app listens on inside the container, when detection got it wrong')
    .option('--stack <stack>', 'the stack, when detection got it wrong (node, python, go, static, …)')
    .option('--start <command>', 'the start command: "node dist/main.js" or a JSON array')
    .option('--health-path <path>', 'the path that answers when the app is up')
    .option(
      '--app <app>',
      'in a monorepo or a multi-project build (Go workspace, Gradle, Maven): the app to deploy (its folder or name)',
    )
    .option('-y, --yes', 'deploy without showing the detection first')
    .option('--json', 'print JSON')
    .action(async (source: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const body = deployBody(sourceArg(source), opts);
      if (canPrompt() && !opts.yes && !opts.json && !(await confirmDetection(api, body))) {
        err('Not deployed.');
        return;
      }
      const build = await api.post<BuildRecord>('/builds', body);
      await finish(api, build.id, opts.json);
    });

  program
    .command('redeploy <build>')
    .description('import a build’s source again, rebuild it and restart its instance')
    .option('--json', 'print JSON')
    .action(async (id: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      await api.post<BuildRecord>(`/builds/${encodeURIComponent(id)}/redeploy`);
      await finish(api, id, opts.json);
    });

  registerBuildList(program);
}

/** On a terminal, what was detected (and what the flags change) is shown before anything is built. */
async function confirmDetection(api: ApiClient, body: DeployBody): Promise<boolean> {
  const v = await withProgress(
    'Detecting…',
    api.post<DetectResult>('/builds/detect', {
      source: body.source,
      ...(body.overrides?.app ? { app: body.overrides.app } : {}),
    }),
  );
  err(formatDetection({ ...v, name: body.name ?? v.name }));
  if (body.overrides) err(`overrides   ${JSON.stringify(body.overrides)}`);
  if (body.databases) err(`databases   ${body.databases.join(', ') || 'none'} (from --db)`);
  const answer = await ask(`Deploy ${body.name ?? v.name}? [Y/n] `);
  return answer === '' || /^y(es)?$/i.test(answer);
}

function registerBuildList(program: Command): void {
  const builds = program.command('builds').description('builds made by `berth deploy`');
  builds
    .command('ls', { isDefault: true })
    .alias('list')
    .description('list builds, newest first')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<BuildSummary[]>('/builds');
      show(rows, opts.json, (r) =>
        r.length === 0
          ? 'No builds.'
          : formatTable(r, [
              { header: 'ID', value: (b) => b.id },
              { header: 'APP', value: (b) => b.name },
              { header: 'STATUS', value: (b) => b.status },
              { header: 'STACK', value: (b) => [b.stack, b.framework].filter(Boolean).join('/') || '-' },
              { header: 'BUILDS', value: (b) => b.attempt },
              {
                header: 'CREATED',
                value: (b) => new Date(b.createdAt).toISOString().replace(/\.\d+Z$/, 'Z'),
              },
              { header: 'ERROR', value: (b) => b.error?.message ?? '' },
            ]),
      );
    });
  builds
    .command('rm <build>')
    .description('delete a build: its folder and image (its app must be removed first)')
    .action(async (id: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(`/builds/${encodeURIComponent(id)}`);
      out(`deleted build ${id}`);
    });
}

/** Follows the build to its end, then prints where the app runs, or fails with the build's error kind. */
async function finish(api: ApiClient, id: string, json: boolean | undefined): Promise<void> {
  const b = await follow(api, id);
  if (b.status !== 'done') throw failure(b);
  const inst = b.instanceId ? await api.get<InstanceView>(`/instances/${b.instanceId}`) : undefined;
  show({ build: b, instance: inst }, json, () =>
    [
      `deployed ${b.name} from ${b.source}`,
      `  url    ${inst?.url ?? '—'}`,
      `  proxy  ${inst?.proxyUrl ?? '—'}`,
      `  build  ${b.id} (${b.image})`,
    ].join('\n'),
  );
}

/** Polls the build for new log lines until it finishes; Ctrl-C cancels it on the server. */
async function follow(api: ApiClient, id: string): Promise<BuildRecord> {
  const bar = new BuildProgressBar();
  let after = 0;
  const cancel = () => {
    err('\ncancelling the build…');
    api.post(`/builds/${encodeURIComponent(id)}/cancel`).catch(() => undefined);
  };
  process.once('SIGINT', cancel);
  try {
    for (;;) {
      const b = await api.get<BuildRecord>(`/builds/${encodeURIComponent(id)}`, { after });
      after = b.logs.at(-1)?.seq ?? after;
      bar.show(b, b.logs);
      if (FINISHED_BUILD_STATUSES.includes(b.status)) {
        bar.done();
        return b;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', cancel);
  }
}

const KINDS: readonly CliErrorKind[] = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'runtime_unavailable',
];

function failure(b: BuildRecord): CliError {
  if (b.status === 'cancelled')
    return new CliError('conflict', `the build of ${b.name} was cancelled`, 'CANCELLED');
  const e = b.error ?? { code: 'BUILD_FAILED', message: `the build of ${b.name} failed` };
  const kind = KINDS.find((k) => k === e.kind) ?? 'unprocessable';
  const lines = Array.isArray(e.details?.lastLines) ? (e.details.lastLines as string[]) : [];
  if (lines.length > 0 && process.stderr.isTTY) err(lines.slice(-10).join('\n'));
  return new CliError(kind, `${e.message} (build ${b.id})`, e.code, e.details ?? {});
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
