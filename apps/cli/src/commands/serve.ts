import type { Command } from 'commander';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the berth server (API, web UI and reverse proxy) in this process')
    .option('--home <dir>', 'data directory (BERTH_HOME, default ~/.berth)')
    .option('--host <address>', 'address to listen on (BERTH_HOST, default 127.0.0.1)')
    .option('--port <port>', 'API and UI port (BERTH_PORT, default 7411)')
    .option('--proxy-port <port>', 'reverse proxy port (BERTH_PROXY_PORT, default 7412)')
    .option('--templates <dir>', 'templates folder (BERTH_TEMPLATES, default <home>/templates)')
    .option(
      '--shutdown <policy>',
      'on SIGINT/SIGTERM: leave instances running, stop them, or stop-and-remove (containers removed, data kept) (BERTH_SHUTDOWN)',
    )
    .option('--log-level <level>', 'log level (BERTH_LOG_LEVEL, default info)')
    .option(
      '--allow-path <dir>',
      'let builds import local directories under <dir>; repeatable (BERTH_ALLOW_PATHS, colon-separated; default none)',
      (dir: string, all: string[] = []) => [...all, dir],
    )
    .action(async (opts) => {
      // Loaded on demand: the other commands are API clients and should start fast.
      const { exitOnSignals, loadServerConfig, startServer } = await import('@berth/server');
      const config = loadServerConfig(opts);
      const server = await startServer(config);
      exitOnSignals(server, config.shutdown);
    });
}
