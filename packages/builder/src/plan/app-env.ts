import type { Detection } from '../detection.js';
import type { RandomBytes } from './credentials.js';
import { password } from './credentials.js';
import type { DatabaseService } from './database-services.js';

/**
 * The app's environment: its port, where its databases are, and the secrets its framework refuses
 * to start without. One SQL database becomes DATABASE_URL, whichever it is.
 */
export function appEnv(d: Detection, dbs: DatabaseService[], random: RandomBytes): Record<string, string> {
  const env: Record<string, string> = { PORT: String(d.port) };
  for (const db of dbs) Object.assign(env, db.env);
  if (env.DATABASE_URL === undefined && env.MYSQL_URL !== undefined) env.DATABASE_URL = env.MYSQL_URL;
  if (d.framework === 'rails') env.SECRET_KEY_BASE = password(random, 64);
  if (d.framework === 'laravel') Object.assign(env, laravelEnv(dbs, random));
  return env;
}

function laravelEnv(dbs: DatabaseService[], random: RandomBytes): Record<string, string> {
  const key = Buffer.from(random(32)).toString('base64');
  const env: Record<string, string> = {
    APP_ENV: 'production',
    APP_KEY: `base64:${key}`,
    LOG_CHANNEL: 'stderr',
  };
  const sql = dbs.find((db) => db.sql)?.sql;
  if (sql) {
    Object.assign(env, {
      DB_CONNECTION: sql.driver,
      DB_HOST: sql.host,
      DB_PORT: sql.port,
      DB_DATABASE: 'app',
      DB_USERNAME: 'app',
      DB_PASSWORD: sql.password,
    });
  }
  return env;
}
