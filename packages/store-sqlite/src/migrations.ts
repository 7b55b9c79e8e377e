/** One step of the schema. `up` is plain SQL so it ships inside dist with the code. */
export interface Migration {
  /** 1, 2, 3… — written to `PRAGMA user_version` once the step has run. */
  version: number;
  name: string;
  up: string;
}

const initialSchema = `
CREATE TABLE templates (
  name        TEXT PRIMARY KEY,
  template    TEXT NOT NULL,
  origin      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE instances (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL UNIQUE,
  template               TEXT NOT NULL,
  node                   TEXT NOT NULL,
  config                 TEXT NOT NULL,
  port_overrides         TEXT NOT NULL,
  desired_state          TEXT NOT NULL,
  status                 TEXT NOT NULL,
  health                 TEXT,
  error_message          TEXT,
  restart_count          INTEGER NOT NULL DEFAULT 0,
  last_exit_code         INTEGER,
  next_retry_at          INTEGER,
  current_deployment_id  TEXT,
  data_dir               TEXT NOT NULL,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX instances_template ON instances (template);
CREATE INDEX instances_status ON instances (status);
CREATE INDEX instances_node ON instances (node);

CREATE TABLE deployments (
  id           TEXT PRIMARY KEY,
  instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  node         TEXT NOT NULL,
  runtime      TEXT NOT NULL,
  handle       TEXT,
  ports        TEXT NOT NULL,
  url          TEXT,
  status       TEXT NOT NULL,
  started_at   INTEGER,
  stopped_at   INTEGER,
  exit_code    INTEGER,
  error        TEXT,
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX deployments_instance ON deployments (instance_id, created_at);

CREATE TABLE leases (
  host        TEXT NOT NULL,
  protocol    TEXT NOT NULL,
  port        INTEGER NOT NULL,
  owner_kind  TEXT NOT NULL,
  owner_id    TEXT NOT NULL,
  owner_name  TEXT NOT NULL,
  port_name   TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (host, protocol, port)
) STRICT, WITHOUT ROWID;
CREATE INDEX leases_owner ON leases (owner_id);

CREATE TABLE nodes (
  name        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  host        TEXT NOT NULL,
  config      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  ts             INTEGER NOT NULL,
  type           TEXT NOT NULL,
  instance_id    TEXT,
  instance_name  TEXT,
  message        TEXT NOT NULL,
  data           TEXT NOT NULL
) STRICT;
CREATE INDEX events_instance ON events (instance_id, id);
CREATE INDEX events_ts ON events (ts);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) STRICT;

CREATE TABLE tokens (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
) STRICT;
`;

const integrations = `
CREATE TABLE integrations (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL UNIQUE,
  type                   TEXT NOT NULL,
  enabled                INTEGER NOT NULL,
  auto_detect            INTEGER NOT NULL,
  scan_interval_seconds  INTEGER NOT NULL,
  config                 TEXT NOT NULL,
  secrets                TEXT,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  last_scan_at           INTEGER,
  last_scan_error        TEXT,
  last_scan_status       TEXT
) STRICT;

CREATE TABLE scan_results (
  integration_id  TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  host            TEXT NOT NULL,
  container_name  TEXT NOT NULL,
  container_id    TEXT,
  image           TEXT NOT NULL,
  state           TEXT NOT NULL,
  ports           TEXT NOT NULL,
  last_seen       INTEGER NOT NULL
) STRICT;
CREATE INDEX scan_results_integration ON scan_results (integration_id);
CREATE INDEX scan_results_host ON scan_results (host);
`;

/**
 * An instance's own replica count (null: its template's) and the replicas its runtime last
 * reported (JSON, null when none was), kept beside its status.
 */
const instanceReplicas = `
ALTER TABLE instances ADD COLUMN replicas INTEGER;
ALTER TABLE instances ADD COLUMN observed_replicas TEXT;
`;

/**
 * Notification channels: where berth tells an operator what went wrong (or a build that ended).
 * `config` is JSON without secrets; `secrets` the sealed JSON of the rest (a webhook URL, an
 * SMTP password). The last delivery and the last error are shown on the channel.
 */
const notificationChannels = `
CREATE TABLE notification_channels (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  kind              TEXT NOT NULL,
  config            TEXT NOT NULL,
  secrets           TEXT,
  rules             TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  last_delivery_at  INTEGER,
  last_error        TEXT,
  last_error_at     INTEGER
) STRICT;
`;

/**
 * Edits of an instance (issue 16): its own env additions and restart policy (JSON, null: none /
 * its template's), and the spec each deployment ran (JSON: config as stored — secret values
 * sealed —, env, pins, replicas, restart, node, image, version; null on older deployments).
 */
const instanceEdits = `
ALTER TABLE instances ADD COLUMN env TEXT;
ALTER TABLE instances ADD COLUMN restart TEXT;
ALTER TABLE deployments ADD COLUMN spec TEXT;
`;

/** An instance's labels (issue 16 §4: bulk actions choose by them): JSON, null when it has none. */
const instanceLabels = `
ALTER TABLE instances ADD COLUMN labels TEXT;
`;

/** Every migration, in order. Append only: a shipped migration is never edited. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial-schema', up: initialSchema },
  { version: 2, name: 'integrations', up: integrations },
  { version: 3, name: 'instance-replicas', up: instanceReplicas },
  { version: 4, name: 'notification-channels', up: notificationChannels },
  { version: 5, name: 'instance-edits', up: instanceEdits },
  { version: 6, name: 'instance-labels', up: instanceLabels },
];
