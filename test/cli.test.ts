/**
 * The `lunas` command as users run it: real processes (`node bin/lunas.js`), a real PGlite data directory, a real
 * server. Slow by nature (each process loads TypeScript and opens the database), so each scenario runs several
 * commands against one directory.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newSecretKey } from '../src/shared/crypto.ts'
import { createPgDatabase, TEST_PG_URL } from './db.ts'
import { BIN, childEnv, type Env, killServers, ROOT, type Server, SLOW, startServer } from './processes.ts'

const PUBLIC_ID = /^[0-9A-Za-z]{11}$/
const TOKEN = /^lns_pat_[0-9A-Za-z]{40}$/
interface Result {
  code: number
  stdout: string
  stderr: string
  lastLine: string
}

function lunas(args: string[], env: Env): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: childEnv(env), timeout: SLOW },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ code, stdout, stderr, lastLine: stdout.trimEnd().split('\n').at(-1) ?? '' })
      },
    )
  })
}

/** Runs a command that must succeed, failing the test with its output otherwise. */
async function ok(args: string[], env: Env): Promise<Result> {
  const r = await lunas(args, env)
  if (r.code !== 0) throw new Error(`lunas ${args[0]} exited ${r.code}\n${r.stdout}\n${r.stderr}`)
  return r
}

afterAll(killServers)

// The embedded scenarios do not depend on the test database, so the PostgreSQL pass of the suite skips them.
describe.skipIf(TEST_PG_URL)('lunas on the embedded database', { timeout: SLOW }, () => {
  let dir: string
  let env: Env
  let pidFile: string
  let socket: string
  const accounts: string[] = []
  const password = 'Sup3r-Secret-Pw'

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lunas-cli-'))
    env = { LUNAS_DATA_DIR: dir }
    pidFile = join(dir, 'lunas.pid')
    socket = join(dir, 'lunas.sock')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs commands itself when no server holds the data directory', async () => {
    const user = await ok(['user', 'create', '--email', 'ana@example.com', '--password', password], env)
    expect(user.stdout).toContain('Created user ana@example.com in workspace "default"')
    expect(user.stdout + user.stderr).not.toContain(password)

    const token = await ok(['token', 'create', '--email', 'ana@example.com'], env)
    expect(token.lastLine).toMatch(TOKEN)

    // Two CLI runs at once: the second waits for the first to release the directory.
    const added = await Promise.all(
      ['1111', '2222'].map((n) =>
        ok(['account', 'add', '--bank-type', 'sandbox', '--number', n, '--holder', 'Ana'], env),
      ),
    )
    for (const r of added) {
      expect(r.lastLine).toMatch(PUBLIC_ID)
      accounts.push(r.lastLine)
    }

    const list = await ok(['account', 'list'], env)
    expect(list.stdout).toMatch(/BANK_ID\s+BANK_TYPE\s+NUMBER\s+HOLDER/)
    for (const id of accounts) expect(list.stdout).toContain(id)

    expect(existsSync(pidFile)).toBe(false)
    expect(existsSync(socket)).toBe(false)
  })

  it('answers usage errors with exit code 2 and refuses API-only roles on the embedded database', async () => {
    const usage = await lunas(['account', 'add', '--number', '1'], env)
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain("required option '--bank-type <type>' not specified")

    const role = await lunas(['start', '--role', 'api'], env)
    expect(role.code).toBe(1)
    expect(role.stderr).toContain('needs PostgreSQL (DATABASE_URL)')
  })

  describe('with a server holding the data directory', () => {
    let server: Server

    beforeAll(async () => {
      server = await startServer(env)
    }, SLOW)

    it('serves HTTP and holds the directory with its pidfile and a 0600 socket', async () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${server.url}/health`)
      expect(health.status).toBe(200)
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.child.pid))
      expect(statSync(socket).isSocket()).toBe(true)
      expect(statSync(socket).mode & 0o777).toBe(0o600)
    })

    it('runs the CLI commands through the socket', async () => {
      const token = await ok(['token', 'create', '--email', 'ana@example.com', '--name', 'shop'], env)
      expect(token.lastLine).toMatch(TOKEN)

      const added = await ok(
        ['account', 'add', '--bank-type', 'sandbox', '--number', '3333', '--holder', 'Ana'],
        env,
      )
      expect(added.lastLine).toMatch(PUBLIC_ID)
      accounts.push(added.lastLine)

      const simulated = await ok(
        ['simulate', '--account', added.lastLine, '--amount', '150123', '--type', 'CR'],
        env,
      )
      expect(simulated.lastLine).toMatch(PUBLIC_ID)

      const list = await ok(['account', 'list', '--json'], env)
      const listed = JSON.parse(list.stdout) as { id: string }[]
      expect(listed.map((a) => a.id).sort()).toEqual([...accounts].sort())

      // Errors and usage errors come back with their exit codes.
      const missing = await lunas(['account', 'refresh', '--account', 'AAAAAAAAAAA'], env)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('account AAAAAAAAAAA not found')
      expect((await lunas(['account', 'frobnicate'], env)).code).toBe(2)
    })

    it('refuses a second server on the same directory without harming the first', async () => {
      const second = await lunas(['start'], env)
      expect(second.code).toBe(1)
      expect(second.stderr).toContain(
        `data directory ${dir} is in use by Lunas (pid ${server.child.pid}); stop it or use another LUNAS_DATA_DIR`,
      )
      expect((await fetch(`${server.url}/health`)).status).toBe(200)
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.child.pid))
      const list = await ok(['account', 'list'], env)
      for (const id of accounts) expect(list.stdout).toContain(id)
    })

    it('recovers the lock left by a killed server', async () => {
      expect(await server.stop('SIGKILL')).toBe('SIGKILL')
      expect(existsSync(pidFile)).toBe(true) // left behind
      server = await startServer(env)
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.child.pid))
      const list = await ok(['account', 'list', '--json'], env)
      expect((JSON.parse(list.stdout) as { id: string }[]).map((a) => a.id).sort()).toEqual(
        [...accounts].sort(),
      )
    })

    it('drains and exits 0 on SIGTERM, removing its pidfile and socket', async () => {
      expect(await server.stop('SIGTERM')).toBe(0)
      expect(existsSync(pidFile)).toBe(false)
      expect(existsSync(socket)).toBe(false)
    })

    it('fails to start with a readable message and exit code 1, releasing the lock', async () => {
      const taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
      const { port } = taken.address() as AddressInfo
      try {
        const r = await lunas(['start'], { ...env, PORT: String(port) })
        expect(r.code).toBe(1)
        expect(r.stderr).toContain(`127.0.0.1:${port} is already in use; stop the other program or set PORT`)
        expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
      } finally {
        taken.close()
      }
      expect(existsSync(pidFile)).toBe(false)
      expect(existsSync(socket)).toBe(false)
    })
  })
})

describe.skipIf(!TEST_PG_URL)('lunas on PostgreSQL', { timeout: SLOW }, () => {
  let env: Env
  let drop: () => Promise<void>

  beforeAll(async () => {
    const db = await createPgDatabase()
    drop = db.drop
    env = { DATABASE_URL: db.url, LUNAS_SECRET_KEY: newSecretKey(), LUNAS_SCHEDULER_TICK_MS: '200' }
  }, SLOW)
  afterAll(async () => {
    killServers()
    await drop?.()
  })

  it('runs several migrate commands at once, applying each migration exactly once', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => ok(['migrate'], env)))
    const applied = runs.flatMap((r) => r.stdout.split('\n').filter((l) => l.startsWith('applied ')))
    expect(applied).toContain('applied 0001_init')
    expect(new Set(applied).size).toBe(applied.length)
  })

  it('runs API-only and worker-only processes side by side on one database', async () => {
    const [api, worker1, worker2] = await Promise.all([
      startServer(env, ['--role', 'api']),
      startServer(env, ['--role', 'worker'], /Lunas worker running/),
      startServer({ ...env, LUNAS_ROLE: 'worker' }, [], /Lunas worker running/),
    ])
    expect((await fetch(`${api.url}/health`)).status).toBe(200)

    await ok(['user', 'create', '--email', 'budi@example.com', '--password', 'another-password'], env)
    const id = (
      await ok(['account', 'add', '--bank-type', 'sandbox', '--number', '9999', '--holder', 'Budi'], env)
    ).lastLine
    await ok(['sandbox', 'feed', '--account', id, '--rate', '60', '--seed', '1'], env)
    await ok(['account', 'refresh', '--account', id], env)

    // A worker process reads the account; the CLI sees the finished run through the shared database.
    type Listed = { last_sync: { status: string; finished_at: string | null } | null }
    let lastSync: Listed['last_sync'] = null
    for (let i = 0; i < 60 && !lastSync?.finished_at; i++) {
      if (i) await new Promise((r) => setTimeout(r, 500))
      lastSync =
        (JSON.parse((await ok(['account', 'list', '--json'], env)).stdout) as Listed[])[0]?.last_sync ?? null
    }
    expect(lastSync?.status).toMatch(/^(ok|no_new)$/)

    expect(await Promise.all([api, worker1, worker2].map((s) => s.stop('SIGTERM')))).toEqual([0, 0, 0])
  })
})
