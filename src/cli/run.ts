/**
 * The CLI process: decides where a command runs, then runs it through the one handler in commands.ts.
 * - With DATABASE_URL: directly against PostgreSQL (any number of processes may share it).
 * - Embedded, while a server holds the data directory: the command line is sent over the socket and the server runs
 *   it (PGlite must only ever be opened by one process).
 * - Embedded, nobody holding it: this process takes the lock, opens the database, runs, closes and releases.
 * Config is read only when a command needs it, so `--help` and `secret-key` work even before the config is valid.
 */
import type { Readable } from 'node:stream'
import { type App, openApp } from '../app.ts'
import { type Config, loadConfig } from '../config.ts'
import { type DataDirLock, inUseMessage, lockPaths, sendRun, tryAcquireLock } from '../db/lock.ts'
import { AppError } from '../shared/errors.ts'
import { createLogger } from '../shared/log.ts'
import { type CommandContext, EXIT_ERROR, runCommand } from './commands.ts'
import { consoleOutput, type Output } from './output.ts'
import { inlinePasswordFromStdin } from './stdin.ts'

// Another CLI command holds the directory for a few seconds at most, a starting server for the time PGlite takes
// to open; waiting longer than this means something is stuck.
const WAIT_FOR_HOLDER_MS = 60_000
const RETRY_MS = 200
const SAY_WAITING_AFTER_MS = 2_000

/** Thrown by the CLI context when a server holds the data directory: the command is to be forwarded to it. */
class ForwardToServer extends Error {
  constructor(readonly socketPath: string) {
    super('forward to server')
  }
}

/** Runs `argv` as the `lunas` command line and returns the process exit code. */
export async function runCli(
  commandLine: readonly string[],
  out: Output = consoleOutput(),
  stdin: Readable = process.stdin,
): Promise<number> {
  const started = Date.now()
  let argv: string[]
  try {
    argv = await inlinePasswordFromStdin(commandLine, stdin)
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    out.error(`error: ${err.message}`)
    return EXIT_ERROR
  }
  for (;;) {
    const local = localContext(out, started)
    try {
      return await runCommand(local.ctx, argv, out)
    } catch (err) {
      if (!(err instanceof ForwardToServer)) return reportUnexpected(err, out)
      const res = await sendRun(err.socketPath, argv)
      if (res.ok) {
        if (res.stdout) out.write(res.stdout, 'stdout')
        if (res.stderr) out.write(res.stderr, 'stderr')
        return res.exitCode
      }
      // `busy` (the server is starting or stopping) and `unreachable` (it just went away) were never run: ask again,
      // and take the directory ourselves if the server is gone by then.
      if (
        (res.error !== 'busy' && res.error !== 'unreachable') ||
        Date.now() - started > WAIT_FOR_HOLDER_MS
      ) {
        out.error(`error: ${res.message}`)
        return EXIT_ERROR
      }
      await sleep(RETRY_MS)
    } finally {
      await local.close()
    }
  }
}

function reportUnexpected(err: unknown, out: Output): number {
  const e = err as Error
  out.error(`error: ${e?.message ?? String(err)}`)
  if (e?.stack) out.error(e.stack)
  return EXIT_ERROR
}

function localContext(out: Output, started: number): { ctx: CommandContext; close(): Promise<void> } {
  let config: Config | undefined
  let lock: DataDirLock | undefined
  let app: App | undefined
  const getConfig = () => {
    config ??= loadConfig()
    return config
  }
  return {
    ctx: {
      async app(opts) {
        if (app) return app
        const cfg = getConfig()
        if (!cfg.databaseUrl) lock = await takeDataDir(cfg.dataDir, out, started)
        // The CLI's stdout carries results (a token on the last line); logs go to stderr.
        app = await openApp(cfg, {
          log: createLogger(cfg.logLevel, process.stderr),
          migrate: opts?.migrate,
          warnKeyFile: false,
        })
        return app
      },
      // Loaded only for `start`: the HTTP stack would add about half a second to every other command. This runs
      // before the lock is taken, so the holder's event loop never stalls on module loading while others ping it.
      serve: async (role, o) => (await import('../serve.ts')).serve(getConfig(), { role, out: o }),
    },
    async close() {
      try {
        await app?.db.close()
      } finally {
        await lock?.release()
      }
    },
  }
}

/** Holds the data directory for this CLI run, waiting while another CLI run holds it; forwards to a server. */
async function takeDataDir(dataDir: string, out: Output, started: number): Promise<DataDirLock> {
  let said = false
  for (;;) {
    const res = await tryAcquireLock(dataDir, { role: 'cli' })
    if (res.lock) return res.lock
    if (res.holder.role === 'server') throw new ForwardToServer(lockPaths(dataDir).socketPath)
    const waited = Date.now() - started
    if (waited > WAIT_FOR_HOLDER_MS) throw new AppError('unavailable', inUseMessage(dataDir, res.holder))
    if (!said && waited > SAY_WAITING_AFTER_MS) {
      said = true
      out.error(`waiting for pid ${res.holder.pid ?? '?'} to finish with the data directory…`)
    }
    await sleep(RETRY_MS)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
