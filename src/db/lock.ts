/**
 * Exclusive hold of the embedded data directory. PGlite has no lock of its own and two processes on one directory
 * silently corrupt it, so whoever opens it (the server, or a short-lived CLI run) first holds:
 * - `lunas.pid`, created with O_EXCL and holding the pid, and
 * - `lunas.sock`, a Unix socket (mode 0600) on which the holder answers newline-delimited JSON:
 *   `{"op":"ping"}` → `{"ok":true,"role":"server"|"cli","pid":N}`;
 *   `{"op":"run","argv":[...]}` → `{"ok":true,"stdout":"…","stderr":"…","exitCode":N}`, or `{"ok":false,"error":"busy"}`
 *   from a CLI holder, a server still starting or one shutting down (the asking CLI waits and retries).
 * A pidfile whose process is gone, or whose socket does not answer a ping within about a second, is stale and taken
 * over. The socket check matters in containers, where a restarted server often gets the same pid as the dead one.
 */
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join, relative, sep } from 'node:path'
import { AppError } from '../shared/errors.ts'
import { ping } from './lock-client.ts'

export { ping, type RunOutcome, sendRun } from './lock-client.ts'

export const PID_FILE = 'lunas.pid'
export const SOCKET_FILE = 'lunas.sock'

export type HolderRole = 'server' | 'cli'

/** Who holds the directory. `role` is null while the holder has not answered yet (it is starting). */
export interface Holder {
  pid: number | null
  role: HolderRole | null
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

export type RunAnswer =
  | ({ ok: true } & RunResult)
  | { ok: false; error: 'busy' | 'bad_request' | 'failed'; message: string }

export interface PingAnswer {
  ok: true
  role: HolderRole
  pid: number
}

export interface DataDirLock {
  readonly dataDir: string
  readonly pidFile: string
  readonly socketPath: string
  /** Runs forwarded CLI commands from now on (until then, `run` is answered `busy`). Servers only. */
  serveCommands(handler: (argv: string[]) => Promise<RunResult>): void
  /** Stops taking new commands and waits for those in flight; pings are still answered, so nobody takes over. */
  drain(): Promise<void>
  /** Removes the socket and the pidfile. Idempotent. */
  release(): Promise<void>
}

export interface LockOptions {
  role: HolderRole
  /** How long a live pid's socket may stay silent before the pidfile counts as stale (default 1000 ms). */
  pingTimeoutMs?: number
}

export function lockPaths(dataDir: string): { pidFile: string; socketPath: string } {
  return { pidFile: join(dataDir, PID_FILE), socketPath: join(dataDir, SOCKET_FILE) }
}

// A pidfile is created and written in two steps; an empty one younger than this is a holder still writing it.
const EMPTY_PIDFILE_GRACE_MS = 2000
// Linux limits sun_path to 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107
const MAX_REQUEST_BYTES = 1024 * 1024

/** `./data` for a directory under the working directory, the absolute path otherwise. */
export function displayDir(dataDir: string): string {
  const rel = relative(process.cwd(), dataDir)
  if (rel === '') return '.'
  return rel.startsWith('..') || rel.startsWith(sep) ? dataDir : `./${rel}`
}

export function inUseMessage(dataDir: string, holder: Holder): string {
  const who = holder.pid ? `Lunas (pid ${holder.pid})` : 'another Lunas process'
  return `data directory ${displayDir(dataDir)} is in use by ${who}; stop it or use another LUNAS_DATA_DIR`
}

/**
 * Takes the data directory, or reports who holds it. Stale pidfiles (dead pid, or a socket that stays silent) are
 * taken over. Resolves quickly when the directory is free; takes about `pingTimeoutMs` when judging a silent holder.
 */
export async function tryAcquireLock(
  dataDir: string,
  opts: LockOptions,
): Promise<{ lock: DataDirLock; holder?: undefined } | { lock?: undefined; holder: Holder }> {
  const { pidFile, socketPath } = lockPaths(dataDir)
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH)
    throw AppError.validation(
      `data directory path is too long for its control socket (${socketPath}); use a shorter LUNAS_DATA_DIR`,
      'LUNAS_DATA_DIR',
    )
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  makePrivate(dataDir)
  const pingTimeoutMs = opts.pingTimeoutMs ?? 1000
  const aside: string[] = []
  try {
    // Each pass either creates the pidfile, finds a live holder, or moves one stale pidfile aside and tries again.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createPidFile(pidFile)) return { lock: await hold(dataDir, opts.role) }
      const seen = readPidFile(pidFile)
      if (!seen) continue // released between our create and our read
      const verdict = await judge(pidFile, socketPath, seen, pingTimeoutMs)
      if (verdict === 'changed') continue
      if (verdict !== 'stale') return { holder: verdict }
      const moved = moveStaleAside(pidFile, seen)
      if (moved) aside.push(moved)
    }
  } finally {
    for (const path of aside) unlinkQuiet(path)
  }
  // Only reached under heavy contention: report whoever holds it now.
  return { holder: { pid: readPidFile(pidFile)?.pid ?? null, role: null } }
}

/**
 * The directory holds the database files (password hashes, encrypted secrets, the key file), so only this user may
 * enter it. mkdir's mode applies only to a directory it creates: one that already existed (made by hand, by a
 * volume, by an older Lunas) keeps its mode, 0755 letting every local user read the files. So it is tightened to
 * 0700 here, or start-up stops with the reason. A directory owned by someone else is refused, not taken over: its
 * owner can read it whatever its mode. Windows has no getuid and no POSIX modes; the check is skipped there.
 */
function makePrivate(dataDir: string): void {
  const uid = process.getuid?.()
  if (uid === undefined) return
  const { uid: owner, mode } = statSync(dataDir)
  if (owner !== uid)
    throw AppError.validation(
      `data directory ${displayDir(dataDir)} is owned by uid ${owner}, not by this process (uid ${uid}); ` +
        'run Lunas as its owner, or use another LUNAS_DATA_DIR',
      'LUNAS_DATA_DIR',
    )
  if ((mode & 0o077) === 0) return
  try {
    chmodSync(dataDir, 0o700)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw AppError.validation(
      `cannot make data directory ${displayDir(dataDir)} private (chmod 0700: ${code}); other local users could ` +
        'read the database: fix its permissions or use another LUNAS_DATA_DIR',
      'LUNAS_DATA_DIR',
    )
  }
}

/** Like `tryAcquireLock`, but a live holder is a `conflict` error naming it. */
export async function acquireLock(dataDir: string, opts: LockOptions): Promise<DataDirLock> {
  const res = await tryAcquireLock(dataDir, opts)
  if (res.lock) return res.lock
  throw new AppError('conflict', inUseMessage(dataDir, res.holder))
}

function createPidFile(pidFile: string): boolean {
  let fd: number
  try {
    fd = openSync(pidFile, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    writeSync(fd, `${process.pid}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

/**
 * What identifies one pidfile. The inode alone does not: a file created just after another was removed often gets
 * its inode number back, so the pid inside and the modification time (in nanoseconds) are compared too.
 */
interface PidFileSeen {
  pid: number | null
  ino: bigint
  dev: bigint
  mtimeNs: bigint
}

function readPidFile(path: string): PidFileSeen | null {
  try {
    const { ino, dev, mtimeNs } = statSync(path, { bigint: true })
    const text = readFileSync(path, 'utf8').trim()
    return { pid: /^\d+$/.test(text) ? Number(text) : null, ino, dev, mtimeNs }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

const samePidFile = (a: PidFileSeen | null, b: PidFileSeen) =>
  a !== null && a.ino === b.ino && a.dev === b.dev && a.mtimeNs === b.mtimeNs && a.pid === b.pid

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    // EPERM: it exists but belongs to another user, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Decides whether the pidfile seen is held (answering with its holder), stale, or replaced meanwhile. */
async function judge(
  pidFile: string,
  socketPath: string,
  seen: PidFileSeen,
  pingTimeoutMs: number,
): Promise<Holder | 'stale' | 'changed'> {
  if (seen.pid === null)
    return Date.now() - Number(seen.mtimeNs / 1_000_000n) < EMPTY_PIDFILE_GRACE_MS
      ? { pid: null, role: null }
      : 'stale'
  if (processGone(seen.pid)) return 'stale'
  // The pid is alive, but pids are reused: only an answer on the socket proves Lunas holds the directory. A holder
  // creates its socket right after its pidfile, so keep asking for the whole timeout before calling it stale.
  const deadline = Date.now() + pingTimeoutMs
  for (;;) {
    const answer = await ping(socketPath, Math.max(50, deadline - Date.now()))
    if (answer) return { pid: answer.pid, role: answer.role }
    if (!samePidFile(readPidFile(pidFile), seen)) return 'changed'
    if (processGone(seen.pid)) return 'stale'
    if (Date.now() >= deadline) return 'stale'
    await sleep(100)
  }
}

/**
 * Moves a pidfile judged stale out of the way, without ever removing a fresh one: two processes may judge the same
 * stale file at once, and the first may already have replaced it by its own when the second acts. So the file is
 * renamed aside (atomic: only one mover gets it) and then checked; a fresh lock moved by mistake is linked back.
 * Returns the aside path, which the caller removes only after its own create attempt, so that the new pidfile
 * cannot be given the stale file's inode.
 */
function moveStaleAside(pidFile: string, seen: PidFileSeen): string | null {
  if (!samePidFile(readPidFile(pidFile), seen)) return null
  const aside = `${pidFile}.stale-${process.pid}-${Date.now()}`
  try {
    renameSync(pidFile, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  if (!samePidFile(readPidFile(aside), seen)) {
    try {
      linkSync(aside, pidFile)
    } catch (err) {
      // EEXIST: a third process created a pidfile in the instant the fresh one was aside; it holds the lock now.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  return aside
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/** We own the pidfile: remove any stale socket, listen, and return the handle. */
async function hold(dataDir: string, role: HolderRole): Promise<DataDirLock> {
  const { pidFile, socketPath } = lockPaths(dataDir)
  const own = readPidFile(pidFile)!
  let handler: ((argv: string[]) => Promise<RunResult>) | null = null
  let draining = false
  const inFlight = new Set<Promise<unknown>>()
  const sockets = new Set<Socket>()

  async function answer(req: unknown): Promise<PingAnswer | RunAnswer> {
    const r = req as { op?: unknown; argv?: unknown }
    if (r?.op === 'ping') return { ok: true, role, pid: process.pid }
    if (r?.op !== 'run' || !Array.isArray(r.argv) || !r.argv.every((a) => typeof a === 'string'))
      return {
        ok: false,
        error: 'bad_request',
        message: 'expected {"op":"ping"} or {"op":"run","argv":[...]}',
      }
    if (!handler || draining)
      return { ok: false, error: 'busy', message: `the data directory is busy (pid ${process.pid}, ${role})` }
    const run = handler(r.argv as string[])
    inFlight.add(run)
    try {
      return { ok: true, ...(await run) }
    } finally {
      inFlight.delete(run)
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffered = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffered += chunk
      if (buffered.length > MAX_REQUEST_BYTES) return socket.destroy()
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        nl = buffered.indexOf('\n')
        let req: unknown
        try {
          req = JSON.parse(line)
        } catch {
          req = null
        }
        void answer(req)
          .catch((err: Error): RunAnswer => ({ ok: false, error: 'failed', message: err.message }))
          .then((res) => socket.writable && socket.write(`${JSON.stringify(res)}\n`))
      }
    })
  })

  unlinkQuiet(socketPath)
  // The socket must never exist with wider permissions, not even between bind and chmod. The umask is process-wide,
  // so it is restored as soon as listen() returns: binding a Unix socket happens synchronously inside it.
  const umask = process.umask(0o177)
  let listening: Promise<void>
  try {
    listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socketPath, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } finally {
    process.umask(umask)
  }
  try {
    await listening
  } catch (err) {
    unlinkOwn(pidFile, own)
    throw err
  }
  chmodSync(socketPath, 0o600)

  let released = false
  // Last resort for an exit that skips release() (an uncaught error): the next start need not wait a second.
  const onExit = () => {
    unlinkQuiet(socketPath)
    unlinkOwn(pidFile, own)
  }
  process.on('exit', onExit)

  return {
    dataDir,
    pidFile,
    socketPath,
    serveCommands(h) {
      handler = h
    },
    async drain() {
      draining = true
      await Promise.allSettled([...inFlight])
    },
    async release() {
      if (released) return
      released = true
      draining = true
      process.off('exit', onExit)
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
      unlinkQuiet(socketPath)
      unlinkOwn(pidFile, own)
    },
  }
}

/** Removes the pidfile only while it is still the one we created (a takeover after a freeze must not be undone). */
function unlinkOwn(pidFile: string, own: PidFileSeen): void {
  if (samePidFile(readPidFile(pidFile), own)) unlinkQuiet(pidFile)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
