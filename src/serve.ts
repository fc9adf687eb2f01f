/**
 * `lunas start`: one process runs the API, the scheduler and webhook delivery (role `all`); on PostgreSQL a process
 * can run the API (`api`) or the scheduler and webhook delivery (`worker`), several of each. On the embedded database
 * the server holds the data directory for its whole life and runs CLI commands forwarded over the directory's socket,
 * with its own App, so PGlite is opened by one process only. SIGTERM or SIGINT drains in-flight requests, sync runs,
 * webhook attempts and commands, closes the database and releases the lock.
 */
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildServer } from './api/server.ts'
import { type App, openApp } from './app.ts'
import { runCommand } from './cli/commands.ts'
import { bufferedOutput, type Output } from './cli/output.ts'
import type { Config, Role } from './config.ts'
import { type DataDirLock, displayDir, inUseMessage, type RunResult, tryAcquireLock } from './db/lock.ts'
import { AppError } from './shared/errors.ts'
import { createLogger, type Logger } from './shared/log.ts'
import { type Scheduler, startScheduler } from './sync/scheduler.ts'
import { startWebhooks, type Webhooks } from './webhooks/runner.ts'

export interface ServeOptions {
  /** Overrides LUNAS_ROLE (`start --role`). */
  role?: Role
  out: Output
}

// A CLI command holds the directory for seconds; a server that finds one waits for it rather than failing.
const WAIT_FOR_CLI_MS = 30_000
// Closing the database after the drain; PGlite flushes on close, so give it time even when the drain used it all.
const DB_CLOSE_TIMEOUT_MS = 10_000

/** Runs until SIGTERM or SIGINT; resolves with the exit code (0 when everything drained in time). */
export async function serve(config: Config, opts: ServeOptions): Promise<number> {
  const role = opts.role ?? config.role
  if (!config.databaseUrl && role !== 'all')
    throw AppError.validation(
      `role "${role}" needs PostgreSQL (DATABASE_URL): the embedded database can be opened by one process only, which runs both the API and the worker (use --role all)`,
      'role',
    )
  const log = createLogger(config.logLevel)
  const stopSignal = waitForSignal()
  const parts: Parts = { log }
  try {
    if (!config.databaseUrl) parts.lock = await takeDataDir(config.dataDir)
    parts.app = await openApp(config, { log })
    if (role !== 'worker') {
      parts.http = await buildServer(parts.app)
      const url = await listen(parts.http, config)
      log.info({ url, role, engine: parts.app.db.engine }, 'Lunas listening')
      opts.out.print(`Lunas listening on ${url}`)
    }
    if (role !== 'api') {
      parts.scheduler = startScheduler(parts.app)
      parts.webhooks = startWebhooks(parts.app)
      if (role === 'worker') {
        log.info({ role }, 'Lunas worker running')
        opts.out.print('Lunas worker running')
      }
    }
    const { app, scheduler } = parts
    parts.lock?.serveCommands((argv) => runForwarded(app, scheduler, argv))
    if (!config.databaseUrl)
      log.info(
        { dataDir: displayDir(config.dataDir) },
        'CLI commands on this data directory are run by this server',
      )
  } catch (err) {
    stopSignal.cancel()
    await shutdown(parts, config.shutdownTimeoutMs)
    throw err
  }
  const signal = await stopSignal.promise
  log.info({ signal }, 'shutting down: draining in-flight work')
  const clean = await shutdown(parts, config.shutdownTimeoutMs)
  stopSignal.cancel()
  log.info({ clean }, 'stopped')
  return clean ? 0 : 1
}

interface Parts {
  log: Logger
  lock?: DataDirLock
  app?: App
  http?: FastifyInstance
  scheduler?: Scheduler
  webhooks?: Webhooks
}

async function takeDataDir(dataDir: string): Promise<DataDirLock> {
  const deadline = Date.now() + WAIT_FOR_CLI_MS
  for (;;) {
    const res = await tryAcquireLock(dataDir, { role: 'server' })
    if (res.lock) return res.lock
    if (res.holder.role === 'server' || Date.now() > deadline)
      throw new AppError('conflict', inUseMessage(dataDir, res.holder))
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function listen(http: FastifyInstance, config: Config): Promise<string> {
  try {
    await http.listen({ host: config.host, port: config.port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const where = `${config.host}:${config.port}`
    if (code === 'EADDRINUSE')
      throw new AppError('unavailable', `${where} is already in use; stop the other program or set PORT`)
    if (code === 'EACCES')
      throw new AppError('unavailable', `not allowed to listen on ${where}; use a PORT above 1023`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new AppError('unavailable', `HOST ${config.host} is not an address of this machine`)
    throw err
  }
  const { port } = http.server.address() as AddressInfo
  // A wildcard address serves every interface; print one that a browser on this machine can open.
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** Runs a command forwarded by the CLI, with the server's App; its output goes back over the socket. */
async function runForwarded(app: App, scheduler: Scheduler | undefined, argv: string[]): Promise<RunResult> {
  const out = bufferedOutput()
  let exitCode: number
  try {
    exitCode = await runCommand(
      { app: async () => app, wake: scheduler && (() => scheduler.wake()) },
      argv,
      out,
    )
  } catch (err) {
    app.log.error({ err, command: commandName(argv) }, 'forwarded command failed')
    out.error(`error: ${(err as Error).message}`)
    exitCode = 1
  }
  return { stdout: out.stdout(), stderr: out.stderr(), exitCode }
}

/** `user create` for `user create --email …`: only the command words, as the arguments may hold a password. */
function commandName(argv: readonly string[]): string {
  const words: string[] = []
  for (const a of argv) {
    if (words.length === 2 || !/^[a-z][a-z-]*$/.test(a)) break
    words.push(a)
  }
  return words.join(' ')
}

/**
 * Stops accepting work, waits for what is in flight (HTTP requests, sync runs, forwarded commands) up to the
 * timeout, then closes the database and releases the lock. Resolves false when the drain timed out.
 */
async function shutdown(parts: Parts, timeoutMs: number): Promise<boolean> {
  const { log, lock, app, http, scheduler, webhooks } = parts
  const drain = Promise.allSettled([http?.close(), scheduler?.stop(), webhooks?.stop(), lock?.drain()]).then((results) => {
    for (const r of results) if (r.status === 'rejected') log.error({ err: r.reason }, 'draining failed')
    return true
  })
  const drained = await within(timeoutMs, drain)
  if (!drained) log.warn({ timeoutMs }, 'shutdown timed out; closing with work still in flight')
  let closed = true
  if (app) {
    closed = await within(
      DB_CLOSE_TIMEOUT_MS,
      app.db.close().then(() => true),
    ).catch((err: unknown) => {
      log.error({ err }, 'closing the database failed')
      return false
    })
    if (!closed) log.error('the database did not close in time')
  }
  // The pidfile of a process that exits goes stale anyway; releasing it only while the database is surely closed
  // keeps a new server from opening PGlite while this one might still write.
  if (closed) await lock?.release()
  return drained && closed
}

/** The promise, or false when it has not settled after `ms`. Its rejection is passed on. */
function within<T>(ms: number, promise: Promise<T>): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The first SIGTERM or SIGINT; a second one while draining exits at once (the exit handler frees the lock). */
function waitForSignal(): { promise: Promise<NodeJS.Signals>; cancel(): void } {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']
  let received = false
  let resolve!: (s: NodeJS.Signals) => void
  const promise = new Promise<NodeJS.Signals>((r) => {
    resolve = r
  })
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(1)
    received = true
    resolve(signal)
  }
  for (const s of signals) process.on(s, onSignal)
  return {
    promise,
    cancel: () => {
      for (const s of signals) process.off(s, onSignal)
    },
  }
}
