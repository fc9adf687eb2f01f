import { type ChildProcess, spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireLock, lockPaths, ping, sendRun, tryAcquireLock } from './lock.ts'

let dir: string
let paths: { pidFile: string; socketPath: string }
const children: ChildProcess[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lunas-lock-'))
  paths = lockPaths(dir)
})

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** A pid that surely belongs to no process: one that has just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid!
}

/** A live process that is not Lunas (as after a pid was reused). */
function livePid(): number {
  const child = spawn('sleep', ['30'])
  children.push(child)
  return child.pid!
}

describe('data-directory lock', () => {
  it('holds the directory with a pidfile and a 0600 socket that answers, and releases both', async () => {
    const lock = await acquireLock(dir, { role: 'cli' })
    expect(readFileSync(paths.pidFile, 'utf8').trim()).toBe(String(process.pid))
    expect(statSync(paths.socketPath).mode & 0o777).toBe(0o600)
    expect(await ping(paths.socketPath)).toEqual({ ok: true, role: 'cli', pid: process.pid })
    await lock.release()
    expect(existsSync(paths.pidFile)).toBe(false)
    expect(existsSync(paths.socketPath)).toBe(false)
    await lock.release() // idempotent
  })

  it('reports a live holder, with a message naming its pid and the directory', async () => {
    const lock = await acquireLock(dir, { role: 'server' })
    try {
      expect(await tryAcquireLock(dir, { role: 'cli' })).toEqual({
        holder: { pid: process.pid, role: 'server' },
      })
      await expect(acquireLock(dir, { role: 'server' })).rejects.toThrow(
        `data directory ${dir} is in use by Lunas (pid ${process.pid}); stop it or use another LUNAS_DATA_DIR`,
      )
    } finally {
      await lock.release()
    }
  })

  it('takes over at once from a dead pid, removing its stale socket', async () => {
    writeFileSync(paths.pidFile, `${await deadPid()}\n`)
    writeFileSync(paths.socketPath, '') // left behind by the dead process
    const started = Date.now()
    const lock = await acquireLock(dir, { role: 'server' })
    expect(Date.now() - started).toBeLessThan(500)
    expect(readFileSync(paths.pidFile, 'utf8').trim()).toBe(String(process.pid))
    expect(await ping(paths.socketPath)).toMatchObject({ role: 'server' })
    await lock.release()
  })

  it('takes over from a live pid whose socket never answers, after the ping timeout', async () => {
    writeFileSync(paths.pidFile, `${livePid()}\n`)
    const started = Date.now()
    const lock = await acquireLock(dir, { role: 'server', pingTimeoutMs: 400 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    expect(readFileSync(paths.pidFile, 'utf8').trim()).toBe(String(process.pid))
    await lock.release()
  })

  it('takes over from a live pid whose socket accepts but stays silent', async () => {
    writeFileSync(paths.pidFile, `${livePid()}\n`)
    const mute: Server = createServer(() => {})
    await new Promise<void>((resolve) => mute.listen(paths.socketPath, resolve))
    try {
      const lock = await acquireLock(dir, { role: 'cli', pingTimeoutMs: 300 })
      expect(await ping(paths.socketPath)).toMatchObject({ role: 'cli', pid: process.pid })
      await lock.release()
    } finally {
      mute.close()
    }
  })

  it('treats a fresh empty pidfile as a holder still starting, and an old one as stale', async () => {
    writeFileSync(paths.pidFile, '')
    expect(await tryAcquireLock(dir, { role: 'cli' })).toEqual({ holder: { pid: null, role: null } })
    const old = new Date(Date.now() - 60_000)
    utimesSync(paths.pidFile, old, old)
    const lock = await acquireLock(dir, { role: 'cli' })
    await lock.release()
  })

  it('runs forwarded commands only once the holder serves them, and not while draining', async () => {
    const lock = await acquireLock(dir, { role: 'server' })
    try {
      expect(await sendRun(paths.socketPath, ['account', 'list'])).toMatchObject({ ok: false, error: 'busy' })
      lock.serveCommands(async (argv) => ({ stdout: `ran ${argv.join(' ')}\n`, stderr: '', exitCode: 3 }))
      expect(await sendRun(paths.socketPath, ['account', 'list'])).toEqual({
        ok: true,
        stdout: 'ran account list\n',
        stderr: '',
        exitCode: 3,
      })
      await lock.drain()
      expect(await sendRun(paths.socketPath, ['x'])).toMatchObject({ ok: false, error: 'busy' })
      expect(await ping(paths.socketPath)).toMatchObject({ role: 'server' }) // still holds it while closing
    } finally {
      await lock.release()
    }
    expect(await sendRun(paths.socketPath, ['x'])).toMatchObject({ ok: false, error: 'unreachable' })
  })

  it('refuses a data directory whose socket path would be too long', async () => {
    const deep = join(dir, 'd'.repeat(120))
    await expect(tryAcquireLock(deep, { role: 'cli' })).rejects.toThrow(/too long/)
  })

  it('lets exactly one of several processes take over the same stale pidfile', async () => {
    // A live pid with no socket: every contender waits out the same ping timeout after a common start signal,
    // so they all judge the file stale and try to replace it within a few milliseconds of each other.
    writeFileSync(paths.pidFile, `${livePid()}\n`)
    const go = join(dir, 'go')
    const script = `
      const { existsSync } = await import('node:fs')
      const { tryAcquireLock } = await import(${JSON.stringify(fileURLToPath(new URL('./lock.ts', import.meta.url)))})
      console.log('ready')
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2))
      const res = await tryAcquireLock(${JSON.stringify(dir)}, { role: 'cli', pingTimeoutMs: 500 })
      console.log(JSON.stringify(res.lock ? { won: process.pid } : { holder: res.holder }))
      if (res.lock) { await new Promise((r) => setTimeout(r, 1500)); await res.lock.release() }
    `
    const contenders = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])
      children.push(child)
      let stdout = ''
      const ready = new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          if (stdout.startsWith('ready\n')) resolve()
        }),
      )
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const done = new Promise<{ won?: number; holder?: unknown }>((resolve, reject) =>
        child.on('exit', () => {
          try {
            resolve(JSON.parse(stdout.split('\n')[1] ?? ''))
          } catch {
            reject(new Error(`contender failed:\n${stdout}\n${stderr}`))
          }
        }),
      )
      return { ready, done }
    })
    await Promise.all(contenders.map((c) => c.ready))
    writeFileSync(go, '')
    const results = await Promise.all(contenders.map((c) => c.done))
    const winners = results.filter((r) => r.won)
    expect(winners).toHaveLength(1)
    // The others saw the winner, or its pidfile in the instant before it wrote its pid (a holder still starting).
    for (const r of results.filter((x) => !x.won))
      expect([
        { pid: winners[0]!.won, role: 'cli' },
        { pid: null, role: null },
      ]).toContainEqual(r.holder)
    expect(existsSync(paths.pidFile)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.startsWith('lunas.pid'))).toEqual([]) // no stale copies left aside
  })
})

describe('data-directory permissions', () => {
  const mode = (path: string) => statSync(path).mode & 0o777
  const isRoot = process.getuid?.() === 0

  it('tightens an existing directory another local user could read (0755) to 0700 before using it', async () => {
    chmodSync(dir, 0o755)
    const lock = await acquireLock(dir, { role: 'cli' })
    expect(mode(dir)).toBe(0o700)
    await lock.release()
  })

  it('creates a missing directory as 0700', async () => {
    const fresh = join(dir, 'fresh')
    const lock = await acquireLock(fresh, { role: 'cli' })
    expect(mode(fresh)).toBe(0o700)
    await lock.release()
  })

  it.skipIf(!isRoot)('refuses a directory owned by another user, touching nothing in it', async () => {
    chmodSync(dir, 0o755)
    chownSync(dir, 65534, 65534)
    await expect(acquireLock(dir, { role: 'cli' })).rejects.toThrow(
      /data directory .* is owned by uid 65534, not by this process \(uid 0\); .*LUNAS_DATA_DIR/,
    )
    expect(mode(dir)).toBe(0o755)
    expect(existsSync(paths.pidFile)).toBe(false)
  })

  // procfs refuses every mode change, even the owner's (and root's): a real chmod failure without mocks.
  it.skipIf(process.platform !== 'linux')('refuses to start when the directory cannot be made 0700', async () => {
    const own = `/proc/${process.pid}`
    await expect(acquireLock(own, { role: 'cli' })).rejects.toThrow(
      new RegExp(`cannot make data directory ${own} private \\(chmod 0700: EPERM\\)`),
    )
  })
})
