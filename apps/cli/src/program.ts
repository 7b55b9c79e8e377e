import { Command } from 'commander';
import { registerBuildCommands } from './commands/builds.js';
import { registerCleanupCommand } from './commands/cleanup.js';
import { registerCompletionCommands } from './commands/completion.js';
import { registerDbCommands } from './commands/db.js';
import { registerEventCommands } from './commands/events.js';
import { registerExportCommand } from './commands/export.js';
import { registerGcCommands } from './commands/gc.js';
import { registerImportCommands } from './commands/imports.js';
import { registerInstanceConfigCommand } from './commands/instance-config.js';
import { registerInstanceEditCommands } from './commands/instance-edit.js';
import { registerInstanceCommands } from './commands/instances.js';
import { registerIntegrationCommands } from './commands/integrations.js';
import { registerLogCommands } from './commands/logs.js';
import { registerNodeCommands } from './commands/nodes.js';
import { registerNotifyCommands } from './commands/notify.js';
import { registerPortCommands } from './commands/ports.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStartupCommands } from './commands/startup.js';
import { registerStatsCommands } from './commands/stats.js';
import { registerTemplateCommands } from './commands/templates.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerVersionCommand } from './commands/version.js';
import { registerVersionCommands } from './commands/versions.js';
import { CLI_VERSION } from './version.js';

/** The `berth` command line: a client of the API, plus `serve`. */
export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Run many instances of any service, each in its own berth.')
    .version(CLI_VERSION, '-V, --version-flag', 'print the CLI version')
    .option('--server <url>', 'berth server URL (BERTH_URL, default http://127.0.0.1:7411)')
    .option('--token <token>', 'API token (BERTH_TOKEN, default BERTH_HOME/admin.token)')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerInstanceCommands(program);
  registerInstanceConfigCommand(program);
  registerInstanceEditCommands(program);
  registerPortCommands(program);
  registerTemplateCommands(program);
  registerVersionCommands(program);
  registerExportCommand(program);
  registerLogCommands(program);
  registerEventCommands(program);
  registerStatsCommands(program);
  registerTokenCommands(program);
  registerNodeCommands(program);
  registerGcCommands(program);
  registerCleanupCommand(program);
  registerIntegrationCommands(program);
  registerNotifyCommands(program);
  registerImportCommands(program);
  registerBuildCommands(program);
  registerDbCommands(program);
  registerStartupCommands(program);
  registerCompletionCommands(program);
  registerVersionCommand(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  return program;
}
