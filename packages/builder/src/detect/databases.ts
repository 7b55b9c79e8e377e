import type { DbKind } from '../detection.js';

/** Client libraries, per ecosystem, that imply a database server the app will connect to. */
const CLIENTS: Record<string, Record<DbKind, readonly string[]>> = {
  node: {
    postgres: ['pg', 'postgres', 'pg-promise', '@neondatabase/serverless'],
    mysql: ['mysql', 'mysql2'],
    mongodb: ['mongodb', 'mongoose'],
    redis: ['redis', 'ioredis', 'bull', 'bullmq'],
  },
  python: {
    postgres: ['psycopg', 'psycopg2', 'psycopg2-binary', 'psycopg-binary', 'asyncpg'],
    mysql: ['pymysql', 'mysqlclient', 'mysql-connector-python', 'aiomysql'],
    mongodb: ['pymongo', 'motor', 'mongoengine'],
    redis: ['redis', 'django-redis', 'aioredis'],
  },
  php: {
    postgres: [],
    mysql: [],
    mongodb: ['mongodb/mongodb'],
    redis: ['predis/predis'],
  },
  go: {
    postgres: ['github.com/lib/pq', 'github.com/jackc/pgx', 'gorm.io/driver/postgres'],
    mysql: ['github.com/go-sql-driver/mysql', 'gorm.io/driver/mysql'],
    mongodb: ['go.mongodb.org/mongo-driver'],
    redis: ['github.com/redis/go-redis', 'github.com/go-redis/redis', 'github.com/gomodule/redigo'],
  },
  ruby: {
    postgres: ['pg'],
    mysql: ['mysql2', 'trilogy'],
    mongodb: ['mongoid', 'mongo'],
    redis: ['redis', 'sidekiq'],
  },
  java: {
    postgres: ['postgresql', 'r2dbc-postgresql'],
    mysql: ['mysql-connector-j', 'mysql-connector-java'],
    mongodb: ['spring-boot-starter-data-mongodb', 'mongodb-driver-sync', 'quarkus-mongodb-client'],
    redis: ['spring-boot-starter-data-redis', 'jedis', 'lettuce-core', 'quarkus-redis-client'],
  },
  dotnet: {
    postgres: ['Npgsql', 'Npgsql.EntityFrameworkCore.PostgreSQL'],
    mysql: ['MySql.Data', 'MySqlConnector', 'Pomelo.EntityFrameworkCore.MySql'],
    mongodb: ['MongoDB.Driver'],
    redis: ['StackExchange.Redis'],
  },
  rust: {
    postgres: ['tokio-postgres', 'postgres', 'sqlx-postgres'],
    mysql: ['mysql', 'mysql_async'],
    mongodb: ['mongodb'],
    redis: ['redis', 'deadpool-redis'],
  },
};

/** Databases implied by a set of dependency names (compared case-insensitively). */
export function databasesFor(ecosystem: keyof typeof CLIENTS, deps: Iterable<string>): DbKind[] {
  const names = new Set([...deps].map((d) => d.toLowerCase()));
  const table = CLIENTS[ecosystem];
  if (!table) return [];
  const out: DbKind[] = [];
  for (const kind of ['postgres', 'mysql', 'mongodb', 'redis'] as const) {
    if (table[kind].some((client) => names.has(client.toLowerCase()))) out.push(kind);
  }
  return out;
}

export function mergeDatabases(...lists: DbKind[][]): DbKind[] {
  const all = new Set(lists.flat());
  return (['postgres', 'mysql', 'mongodb', 'redis'] as const).filter((k) => all.has(k));
}
