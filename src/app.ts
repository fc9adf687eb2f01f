/**
 * The application context every shell function receives: config, database, logger, secret key.
 * `openApp` does not take the data-directory lock; callers that open the embedded database hold it first
 * (see cli/run.ts and db/lock.ts).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { ConfigError } from './config.ts'
import type { Db } from './db/db.ts'
import { migrate } from './db/migrate.ts'
import { openDb } from './db/open.ts'
import { newSecretKey, parseSecretKey } from './shared/crypto.ts'
import { createLogger, type Logger } from './shared/log.ts'

export interface App {
  config: Config
  db: Db
  log: Logger
  /** 32-byte key for secrets at rest (shared/crypto.ts encryptSecret). */
  secretKey: Buffer
}

export const KEY_FILE = 'secret.key'

/**
 * LUNAS_SECRET_KEY when given; otherwise (embedded mode only — config refuses DATABASE_URL without a key) a key
 * file generated once in the data directory with mode 0600.
 */
export function loadSecretKey(config: Config, log: Logger, warn = true): Buffer {
  if (config.secretKey) {
    const key = parseSecretKey(config.secretKey)
    if (!key)
      throw new ConfigError(
        'Invalid configuration:\n  LUNAS_SECRET_KEY: must be 32 bytes as 64 hex characters or base64',
      )
    return key
  }
  const file = join(config.dataDir, KEY_FILE)
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true })
    writeFileSync(file, `${newSecretKey()}\n`, { mode: 0o600, flag: 'wx' })
  }
  chmodSync(file, 0o600)
  const key = parseSecretKey(readFileSync(file, 'utf8'))
  if (!key) throw new ConfigError(`Invalid configuration:\n  ${file}: not a valid secret key`)
  if (warn)
    log.warn(
      { file },
      'LUNAS_SECRET_KEY is not set: using a key file inside the data directory. In production, set LUNAS_SECRET_KEY from outside the data directory (a backup of the data alone must not carry its key).',
    )
  return key
}

export interface OpenAppOptions {
  log?: Logger
  /** Run pending migrations (default true). */
  migrate?: boolean
  /** Warn when the key comes from the generated key file (default true; short CLI commands turn it off). */
  warnKeyFile?: boolean
}

export async function openApp(config: Config, opts: OpenAppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.logLevel)
  const secretKey = loadSecretKey(config, log, opts.warnKeyFile !== false)
  const db = await openDb(config)
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(db)
      if (applied.length) log.info({ applied }, 'database migrated')
    }
  } catch (err) {
    await db.close()
    throw err
  }
  return { config, db, log, secretKey }
}
