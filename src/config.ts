import { join, resolve } from 'node:path';

/** Everything provlog reads from its environment, validated once; nothing else reads process.env. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  /** 64 hex characters: the key that encrypts connector secrets; else a key file in the data folder. */
  secretKeyHex: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Base URL of a running provlog for the CLI's queries; unset = open the local store. */
  url: string | undefined;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535)
    throw new ConfigError(
      `${name} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`,
    );
  return port;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  const logLevel = env.PROVLOG_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `PROVLOG_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const databaseUrl = env.PROVLOG_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('PROVLOG_DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const secretKeyHex = env.PROVLOG_SECRET_KEY || undefined;
  if (secretKeyHex && !/^[0-9a-fA-F]{64}$/.test(secretKeyHex)) {
    throw new ConfigError('PROVLOG_SECRET_KEY must be 64 hexadecimal characters (a 256-bit key)');
  }
  const url = env.PROVLOG_URL || undefined;
  if (url && !/^https?:\/\//.test(url))
    throw new ConfigError('PROVLOG_URL must be an http:// or https:// URL');
  return {
    host: env.PROVLOG_HOST || '127.0.0.1',
    port: env.PROVLOG_PORT ? parsePort(env.PROVLOG_PORT, 'PROVLOG_PORT') : 8080,
    dataDir: resolve(env.PROVLOG_DATA_DIR || './data'),
    databaseUrl,
    adminToken: env.PROVLOG_ADMIN_TOKEN || undefined,
    secretKeyHex,
    logLevel: logLevel as Config['logLevel'],
    url,
    ...overrides,
  };
}

export const sqliteFile = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'provlog.db');
