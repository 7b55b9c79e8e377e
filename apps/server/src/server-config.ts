import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidInput, type ReservedRange } from '@berth/core';
import { type DockerSettings, readDockerSettings } from '@berth/runtime-docker';
import {
  EPHEMERAL_RANGE_FILE,
  type GlobalPortRange,
  globalPortRange,
  parseEphemeralRange,
  parsePortRangeSetting,
  parseReservedPorts,
} from './global-port-range.js';
import { heapGrowthPercent } from './heap-growth.js';
import { type LogFormat, logFormat } from './logger.js';
import { loadObserveSettings, type ObserveSettings } from './observe/observe-settings.js';

/** On SIGINT/SIGTERM: leave instances running, stop them, or stop them and remove their workloads (data kept). */
export type ShutdownPolicy = 'leave' | 'stop' | 'stop-and-remove';

export interface ServerConfig {
  /** BERTH_HOME: database, admin token, instance folders, logs. */
  home: string;
  /** Interface the API and the proxy listen on. */
  host: string;
  /** API + UI port (0 picks a free one). */
  port: number;
  /** Reverse-proxy port for `<instance>.localhost` (0 picks a free one). */
  proxyPort: number;
  /**
   * BERTH_PROXY_WORKERS: child processes that accept on the proxy port beside the main process,
   * each one more event loop splicing connections; started at the proxy port's first connection.
   * Default 0 (the main process alone): one worker has not measured faster here yet (bench/README.md).
   */
  proxyWorkers: number;
  /** Folder of template files (*.yaml, *.yml, *.json). */
  templatesDir: string;
  /** Folder of compose files, each discovered as a template (BERTH_COMPOSE_DIR). */
  composeDir: string;
  /** What happens to instances when berth is told to exit. */
  shutdown: ShutdownPolicy;
  /** Used as the admin token at first start instead of a random one. */
  adminToken: string | undefined;
  logLevel: string;
  /** The built web UI, served at `/` when the folder exists. */
  webDist: string | undefined;
  /** Local directories builds may import from (BERTH_ALLOW_PATHS, --allow-path); none by default. */
  allowPaths: string[];
  /** Caps on one build import: BERTH_IMPORT_MAX_MB (200) and BERTH_IMPORT_MAX_FILES (20,000). */
  importMaxBytes: number;
  importMaxFiles: number;
  /** BERTH_HEAP_GROWTH_PERCENT (25; 0 leaves V8's own policy). */
  heapGrowthPercent: number;
  /** BERTH_LOG_FORMAT, else pretty on a terminal and JSON lines otherwise. */
  logFormat: LogFormat;
  /** Sampler and log rotation: BERTH_SAMPLE_SECONDS, BERTH_SAMPLE_HISTORY, BERTH_LOG_ROTATE_SECONDS, BERTH_LOG_MAX_BYTES, BERTH_LOG_KEEP. */
  observe: ObserveSettings;
  /** BERTH_BUILD_PORTS=`41000-41999`: the host ports built apps lease from (the ledger's range when unset). */
  buildPorts: [number, number] | undefined;
  /**
   * The ledger's global range: BERTH_PORT_RANGE=`20000-32767`, else the default without the
   * kernel's ephemeral range (read from /proc/sys/net/ipv4/ip_local_port_range), and why.
   */
  portRange: GlobalPortRange;
  /** BERTH_RESERVED_PORTS=`8000-8099,9000`: ranges berth never leases (until set through the API). */
  reservedPorts: ReservedRange[];
  /** The kernel's ephemeral range, when /proc/sys/net/ipv4/ip_local_port_range could be read. */
  ephemeralRange: [number, number] | undefined;
  /**
   * BERTH_RESERVE_PORTS=1 (root only): leased ports on this machine are kept in the kernel's
   * net.ipv4.ip_local_reserved_ports while leased, so no outgoing connection is given one.
   */
  reservePorts: boolean;
  /** The Docker adapter's: DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, SSH_AUTH_SOCK, BERTH_SSH_KNOWN_HOSTS, BERTH_BASE_IMAGES. */
  docker: DockerSettings;
}

/**
 * Flags as the CLI passes them; anything missing falls back to the environment, then a default.
 * This is the one place the server reads its settings from the environment: the parts it wires
 * get values, and the library packages read no variable themselves.
 */
export interface ServerFlags {
  home?: string | undefined;
  host?: string | undefined;
  port?: string | number | undefined;
  proxyPort?: string | number | undefined;
  templates?: string | undefined;
  shutdown?: string | undefined;
  logLevel?: string | undefined;
  webDist?: string | undefined;
  /** Repeatable `--allow-path <dir>`. */
  allowPath?: string[] | undefined;
}

/** Host files the settings depend on; tests pass their own. */
export interface HostSettingsFiles {
  /** The text of a file such as /proc/sys/net/ipv4/ip_local_port_range; undefined when unreadable. */
  read(path: string): string | undefined;
}

const hostFiles: HostSettingsFiles = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

export function loadServerConfig(
  flags: ServerFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  files: HostSettingsFiles = hostFiles,
): ServerConfig {
  const home = resolve(flags.home ?? env.BERTH_HOME ?? join(homedir(), '.berth'));
  return {
    home,
    host: flags.host ?? env.BERTH_HOST ?? '127.0.0.1',
    port: portSetting('port', flags.port ?? env.BERTH_PORT, 7411),
    proxyPort: portSetting('proxy port', flags.proxyPort ?? env.BERTH_PROXY_PORT, 7412),
    proxyWorkers: proxyWorkers(env.BERTH_PROXY_WORKERS),
    templatesDir: resolve(flags.templates ?? env.BERTH_TEMPLATES ?? join(home, 'templates')),
    composeDir: resolve(env.BERTH_COMPOSE_DIR ?? join(home, 'compose')),
    shutdown: shutdownPolicy(flags.shutdown ?? env.BERTH_SHUTDOWN ?? 'leave'),
    adminToken: env.BERTH_ADMIN_TOKEN || undefined,
    logLevel: flags.logLevel ?? env.BERTH_LOG_LEVEL ?? 'info',
    webDist: flags.webDist ?? env.BERTH_WEB_DIST,
    allowPaths: allowPaths(flags.allowPath, env.BERTH_ALLOW_PATHS),
    importMaxBytes: countSetting('BERTH_IMPORT_MAX_MB', env.BERTH_IMPORT_MAX_MB, 200) * 1024 * 1024,
    importMaxFiles: countSetting('BERTH_IMPORT_MAX_FILES', env.BERTH_IMPORT_MAX_FILES, 20_000),
    heapGrowthPercent: heapGrowthPercent(env),
    logFormat: logFormat(env),
    observe: loadObserveSettings(env),
    buildPorts: buildPorts(env.BERTH_BUILD_PORTS),
    portRange: globalPortRange(
      parsePortRangeSetting('BERTH_PORT_RANGE', env.BERTH_PORT_RANGE),
      parseEphemeralRange(files.read(EPHEMERAL_RANGE_FILE)),
    ),
    reservedPorts: parseReservedPorts('BERTH_RESERVED_PORTS', env.BERTH_RESERVED_PORTS),
    ephemeralRange: parseEphemeralRange(files.read(EPHEMERAL_RANGE_FILE)),
    reservePorts: switchSetting('BERTH_RESERVE_PORTS', env.BERTH_RESERVE_PORTS),
    // Children (the compose CLI) inherit this process's environment, whatever env the settings came from.
    docker: readDockerSettings(env, { uid: process.getuid?.(), childEnv: process.env }),
  };
}

function buildPorts(raw: string | undefined): [number, number] | undefined {
  if (!raw) return undefined;
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || from < 1 || to > 65535 || from > to) {
    throw new InvalidInput(`BERTH_BUILD_PORTS must look like 41000-41999, got '${raw}'`, {
      details: { field: 'BERTH_BUILD_PORTS' },
    });
  }
  return [from, to];
}

function portSetting(what: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidInput(`the ${what} must be a number between 0 and 65535, got '${raw}'`, {
      details: { field: what },
    });
  }
  return n;
}

/** `--allow-path` flags when given, else BERTH_ALLOW_PATHS split on `:`; each made absolute. */
function allowPaths(flags: string[] | undefined, raw: string | undefined): string[] {
  const paths = flags?.length ? flags : (raw ?? '').split(':');
  return paths.filter((p) => p.trim() !== '').map((p) => resolve(p));
}

function proxyWorkers(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new InvalidInput(`BERTH_PROXY_WORKERS must be a whole number from 0 to 64, got '${raw}'`, {
      details: { field: 'BERTH_PROXY_WORKERS' },
    });
  }
  return n;
}

function countSetting(what: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidInput(`${what} must be a whole number above 0, got '${raw}'`, {
      details: { field: what },
    });
  }
  return n;
}

/** `1`/`true` on, `0`/`false`/unset off; anything else is refused. */
function switchSetting(name: string, raw: string | undefined): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new InvalidInput(`${name} must be 1 or 0, got '${raw}'`, { details: { field: name } });
}

function shutdownPolicy(raw: string): ShutdownPolicy {
  if (raw === 'leave' || raw === 'stop' || raw === 'stop-and-remove') return raw;
  throw new InvalidInput(`the shutdown policy must be 'leave', 'stop' or 'stop-and-remove', got '${raw}'`, {
    details: { field: 'shutdown' },
  });
}
