import type { DbKind } from '../detection.js';
import { password, type RandomBytes } from './credentials.js';

export interface DatabaseService {
  service: Record<string, unknown>;
  volume: string;
  /** Variables handed to the app. */
  env: Record<string, string>;
  /** For SQL servers: the parts, for frameworks that want them separately (Laravel's DB_*). */
  sql?: { driver: 'pgsql' | 'mysql'; host: string; port: string; password: string };
}

const HEALTH = { interval: '5s', timeout: '5s', retries: 20, start_period: '10s' };

/** Each database with its health check, a named volume, and the URL the app connects with. */
export function databaseService(
  kind: DbKind,
  random: RandomBytes,
  image: (ref: string) => string,
): DatabaseService {
  const pw = password(random);
  switch (kind) {
    case 'postgres':
      return {
        volume: 'postgres-data',
        service: {
          image: image('postgres:16-alpine'),
          environment: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: pw, POSTGRES_DB: 'app' },
          healthcheck: { test: ['CMD', 'pg_isready', '-U', 'app', '-d', 'app'], ...HEALTH },
          volumes: ['postgres-data:/var/lib/postgresql/data'],
        },
        env: { DATABASE_URL: `postgres://app:${pw}@postgres:5432/app` },
        sql: { driver: 'pgsql', host: 'postgres', port: '5432', password: pw },
      };
    case 'mysql':
      return {
        volume: 'mysql-data',
        service: {
          image: image('mysql:8.4'),
          environment: {
            MYSQL_DATABASE: 'app',
            MYSQL_USER: 'app',
            MYSQL_PASSWORD: pw,
            MYSQL_ROOT_PASSWORD: password(random),
          },
          // `mysqladmin ping` succeeds once the server accepts connections, even without credentials.
          healthcheck: { test: ['CMD', 'mysqladmin', 'ping', '-h', '127.0.0.1', '--silent'], ...HEALTH },
          volumes: ['mysql-data:/var/lib/mysql'],
        },
        env: { MYSQL_URL: `mysql://app:${pw}@mysql:3306/app` },
        sql: { driver: 'mysql', host: 'mysql', port: '3306', password: pw },
      };
    case 'mongodb':
      return {
        volume: 'mongodb-data',
        service: {
          image: image('mongo:7'),
          environment: {
            MONGO_INITDB_ROOT_USERNAME: 'app',
            MONGO_INITDB_ROOT_PASSWORD: pw,
            MONGO_INITDB_DATABASE: 'app',
          },
          healthcheck: {
            test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"],
            ...HEALTH,
          },
          volumes: ['mongodb-data:/data/db'],
        },
        env: { MONGODB_URL: `mongodb://app:${pw}@mongodb:27017/app?authSource=admin` },
      };
    case 'redis':
      return {
        volume: 'redis-data',
        service: {
          image: image('redis:7-alpine'),
          command: ['redis-server', '--requirepass', pw, '--appendonly', 'yes'],
          // redis-cli reads the password from REDISCLI_AUTH, keeping it off the command line.
          environment: { REDISCLI_AUTH: pw },
          healthcheck: { test: ['CMD', 'redis-cli', 'ping'], ...HEALTH },
          volumes: ['redis-data:/data'],
        },
        env: { REDIS_URL: `redis://:${pw}@redis:6379/0` },
      };
  }
}
