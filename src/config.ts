/**
 * The only reader of the environment. Every setting is documented in .env.example; a bad value stops start-up
 * with one readable line per problem.
 */
import { resolve } from 'node:path'
import { z } from 'zod'
import { DEFAULT_SCHEDULE, parseSchedule } from './webhooks/schedule.ts'
import { parseNetworks } from './webhooks/ssrf.ts'

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def)

/**
 * LUNAS_PUBLIC_URL as links are built from it: an absolute http(s) URL, optionally with a path (behind a proxy that
 * serves Lunas under `/lunas`), no credentials, query or fragment; trailing slashes trimmed so a path appends.
 */
function publicUrl(text: string, ctx: z.RefinementCtx): string {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message })
    return z.NEVER
  }
  const url = URL.canParse(text) ? new URL(text) : null
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return fail('must be an absolute http:// or https:// URL, e.g. https://lunas.example.com')
  if (url.username || url.password) return fail('must not contain a user name or password')
  if (url.search || url.hash || /[?#]/.test(text)) return fail('must not have a query string or fragment')
  let path = url.pathname
  while (path.endsWith('/')) path = path.slice(0, -1)
  return url.origin + path
}

const schema = z.object({
  PORT: int(8080, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LUNAS_PUBLIC_URL: z.string().optional().transform((text, ctx) => (text === undefined ? undefined : publicUrl(text, ctx))),
  LUNAS_DATA_DIR: z.string().min(1).default('./data'),
  LUNAS_SECRET_KEY: z.string().optional(),
  LUNAS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  LUNAS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LUNAS_DB_POOL_SIZE: int(10, 1, 200),
  LUNAS_SCHEDULER_TICK_MS: int(5000, 50, 600_000),
  LUNAS_SYNC_CONCURRENCY: int(4, 1, 64),
  LUNAS_SYNC_TIMEOUT_MS: int(30_000, 100, 600_000),
  LUNAS_DEFAULT_REFRESH_MINUTES: int(15, 1, 1440),
  LUNAS_SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
  LUNAS_RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
  LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE: int(10, 0, 100_000),
  LUNAS_API_LOG: z.enum(['on', 'off']).default('on'),
  LUNAS_API_LOG_RETENTION_DAYS: int(30, 1, 3650),
  LUNAS_IDEMPOTENCY_TTL_HOURS: int(24, 1, 720),
  LUNAS_WEBHOOK_ALLOW_NETWORKS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseNetworks(text)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message })
        return z.NEVER
      }
    }),
  LUNAS_WEBHOOK_CONNECT_TIMEOUT_MS: int(5000, 100, 60_000),
  LUNAS_WEBHOOK_TIMEOUT_MS: int(15_000, 1000, 300_000),
  LUNAS_WEBHOOK_LEASE_SECONDS: int(60, 2, 3600),
  LUNAS_WEBHOOK_CONCURRENCY: int(16, 1, 256),
  LUNAS_WEBHOOK_BATCH_MAX: int(50, 1, 1000),
  LUNAS_WEBHOOK_SCHEDULE: z
    .string()
    .default(DEFAULT_SCHEDULE)
    .transform((text, ctx) => {
      try {
        return parseSchedule(text)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message })
        return z.NEVER
      }
    }),
  LUNAS_WEBHOOK_DISABLE_AFTER_HOURS: int(120, 1, 8760),
  LUNAS_WEBHOOK_POLL_MS: int(500, 10, 60_000),
  LUNAS_WEBHOOK_HISTORY_DAYS: int(30, 1, 3650),
})

export type Role = 'all' | 'api' | 'worker'

export interface Config {
  port: number
  host: string
  databaseUrl: string | undefined
  /**
   * Where clients reach this server (LUNAS_PUBLIC_URL, no trailing slash), for the absolute links Moota's pages
   * carry; undefined: the listen address.
   */
  publicUrl: string | undefined
  dataDir: string
  /** Raw LUNAS_SECRET_KEY text; see `app.ts` for the embedded key-file fallback. */
  secretKey: string | undefined
  role: Role
  logLevel: string
  dbPoolSize: number
  schedulerTickMs: number
  syncConcurrency: number
  syncTimeoutMs: number
  defaultRefreshMinutes: number
  shutdownTimeoutMs: number
  /** Authenticated API calls per token per minute, per process; 0 = no limit. */
  rateLimitPerMinute: number
  /** `POST /api/v2/auth/login` attempts per client IP and per e-mail per minute, per process; 0 = no limit. */
  loginRateLimitPerMinute: number
  /** Record every /api/v2 and /v1 call in `api_calls`. */
  apiLog: boolean
  apiLogRetentionDays: number
  /** How long an Idempotency-Key of a /v1 write is remembered (hours). */
  idempotencyTtlHours: number
  /** Networks webhook deliveries may reach despite the SSRF guard (canonical CIDRs; empty = public only). */
  webhookAllowNetworks: readonly string[]
  webhookConnectTimeoutMs: number
  webhookTimeoutMs: number
  /** How long a worker owns a claimed delivery; longer than the request timeout, so a live attempt is never stolen. */
  webhookLeaseSeconds: number
  /** Delivery requests in flight per worker process. */
  webhookConcurrency: number
  /** Most mutations in one `moota`-format delivery. */
  webhookBatchMax: number
  /** Delays before attempts 2, 3, … (ms). */
  webhookSchedule: readonly number[]
  /** An endpoint without a successful delivery this long is disabled (ms). */
  webhookDisableAfterMs: number
  /** How often a worker looks for due deliveries when nothing woke it (ms). */
  webhookPollMs: number
  /** Delivery attempts older than this are deleted (days). */
  webhookHistoryDays: number
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  // A lease shorter than an attempt could run would let a second worker send the same delivery while the first waits.
  if (c.LUNAS_WEBHOOK_LEASE_SECONDS * 1000 < c.LUNAS_WEBHOOK_TIMEOUT_MS + 5000) {
    throw new ConfigError(
      `Invalid configuration:\n  LUNAS_WEBHOOK_LEASE_SECONDS: must be at least LUNAS_WEBHOOK_TIMEOUT_MS + 5 s (${Math.ceil((c.LUNAS_WEBHOOK_TIMEOUT_MS + 5000) / 1000)})`,
    )
  }
  if (c.DATABASE_URL && !c.LUNAS_SECRET_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  LUNAS_SECRET_KEY: required when DATABASE_URL is set (every host must share the same key; generate one with `npx lunas secret-key`)',
    )
  }
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    publicUrl: c.LUNAS_PUBLIC_URL,
    dataDir: resolve(c.LUNAS_DATA_DIR),
    secretKey: c.LUNAS_SECRET_KEY,
    role: c.LUNAS_ROLE,
    logLevel: c.LUNAS_LOG_LEVEL,
    dbPoolSize: c.LUNAS_DB_POOL_SIZE,
    schedulerTickMs: c.LUNAS_SCHEDULER_TICK_MS,
    syncConcurrency: c.LUNAS_SYNC_CONCURRENCY,
    syncTimeoutMs: c.LUNAS_SYNC_TIMEOUT_MS,
    defaultRefreshMinutes: c.LUNAS_DEFAULT_REFRESH_MINUTES,
    shutdownTimeoutMs: c.LUNAS_SHUTDOWN_TIMEOUT_MS,
    rateLimitPerMinute: c.LUNAS_RATE_LIMIT_PER_MINUTE,
    loginRateLimitPerMinute: c.LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE,
    apiLog: c.LUNAS_API_LOG === 'on',
    apiLogRetentionDays: c.LUNAS_API_LOG_RETENTION_DAYS,
    idempotencyTtlHours: c.LUNAS_IDEMPOTENCY_TTL_HOURS,
    webhookAllowNetworks: Object.freeze(c.LUNAS_WEBHOOK_ALLOW_NETWORKS),
    webhookConnectTimeoutMs: c.LUNAS_WEBHOOK_CONNECT_TIMEOUT_MS,
    webhookTimeoutMs: c.LUNAS_WEBHOOK_TIMEOUT_MS,
    webhookLeaseSeconds: c.LUNAS_WEBHOOK_LEASE_SECONDS,
    webhookConcurrency: c.LUNAS_WEBHOOK_CONCURRENCY,
    webhookBatchMax: c.LUNAS_WEBHOOK_BATCH_MAX,
    webhookSchedule: Object.freeze(c.LUNAS_WEBHOOK_SCHEDULE),
    webhookDisableAfterMs: c.LUNAS_WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    webhookPollMs: c.LUNAS_WEBHOOK_POLL_MS,
    webhookHistoryDays: c.LUNAS_WEBHOOK_HISTORY_DAYS,
  })
}
