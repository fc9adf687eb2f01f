import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import type { App } from '../app.ts'
import { ConfigError, loadConfig } from '../config.ts'
import { createLogger } from '../shared/log.ts'
import { type CommandContext, runCommand } from './commands.ts'
import { bufferedOutput } from './output.ts'

let t: TestDb
let app: App

beforeAll(async () => {
  t = await openTestDb()
  app = { config: loadConfig({}), db: t.db, log: createLogger('silent'), secretKey: randomBytes(32) }
})
afterAll(() => t.close())

/** Runs a command line as the server does for a forwarded command. */
async function lunas(argv: string[], ctx: Partial<CommandContext> = {}) {
  const out = bufferedOutput()
  const code = await runCommand({ app: async () => app, ...ctx }, argv, out)
  const stdout = out.stdout()
  return { code, stdout, stderr: out.stderr(), last: stdout.trimEnd().split('\n').at(-1) ?? '' }
}

describe('cli commands', () => {
  it('prints a new secret key without touching the database', async () => {
    const app = vi.fn()
    const r = await lunas(['secret-key'], { app })
    expect(r).toMatchObject({ code: 0, last: expect.stringMatching(/^[\w-]{43}$/) })
    expect(app).not.toHaveBeenCalled()
  })

  it('resolves the workspace: the only one, then "default" once it exists, and never guesses between several', async () => {
    expect((await lunas(['account', 'list'])).stderr).toContain('there is no workspace yet')
    expect(
      (
        await lunas([
          'user',
          'create',
          '--email',
          'a@toko.id',
          '--password',
          'password1',
          '--workspace',
          'toko',
        ])
      ).code,
    ).toBe(0)
    const first = await lunas([
      'account',
      'add',
      '--bank-type',
      'sandbox',
      '--number',
      '100',
      '--holder',
      'A',
    ])
    expect(first.stdout).toContain('to workspace "toko"')
    expect(
      (await lunas(['user', 'create', '--email', 'b@toko.id', '--password', 'password1'])).stdout,
    ).toContain('in workspace "toko"')

    await lunas(['user', 'create', '--email', 'c@shop.id', '--password', 'password1', '--workspace', 'shop'])
    const several = await lunas(['account', 'list'])
    expect(several).toMatchObject({ code: 1, stderr: expect.stringContaining('name one with --workspace') })

    await lunas(['user', 'create', '--email', 'd@x.id', '--password', 'password1', '--workspace', 'default'])
    expect((await lunas(['account', 'list'])).stdout).toContain('No accounts in workspace "default" yet')
    expect((await lunas(['account', 'list', '--workspace', 'toko'])).stdout).toContain(first.last)
  })

  it('creates a token shown once on the last line, and never echoes a password', async () => {
    const r = await lunas(['token', 'create', '--email', 'A@toko.id', '--scopes', 'mutation_read,bank_read'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(scopes: mutation_read, bank_read)')
    expect(r.last).toMatch(/^lns_pat_[0-9A-Za-z]{40}$/)

    const dup = await lunas([
      'user',
      'create',
      '--email',
      'a@toko.id',
      '--password',
      'Hunter2-Hunter2',
      '--workspace',
      'toko',
    ])
    expect(dup.code).toBe(1)
    expect(dup.stderr).toBe('error: user a@toko.id already exists in workspace "toko"\n')
    const short = await lunas(['user', 'create', '--email', 'e@toko.id', '--password', 'Hunter2'])
    expect(short.stderr + short.stdout).not.toContain('Hunter2')

    expect(await lunas(['token', 'create', '--email', 'nobody@toko.id'])).toMatchObject({
      code: 1,
      stderr: 'error: user nobody@toko.id not found\n',
    })
  })

  it('adds and lists accounts, and wakes the scheduler for a refresh', async () => {
    const added = await lunas([
      'account',
      'add',
      '--bank-type',
      'sandbox',
      '--number',
      '200',
      '--holder',
      'B',
      '--interval',
      '5',
    ])
    expect(added.last).toMatch(/^[0-9A-Za-z]{11}$/)
    const json = JSON.parse((await lunas(['account', 'list', '--json'])).stdout)
    expect(json).toEqual([
      expect.objectContaining({
        id: added.last,
        bank_type: 'sandbox',
        refresh_minutes: 5,
        sandbox: true,
        last_sync: null,
      }),
    ])

    const wake = vi.fn()
    const refreshed = await lunas(['account', 'refresh', '--account', added.last], { wake })
    expect(refreshed.code).toBe(0)
    expect(wake).toHaveBeenCalledOnce()
    expect((await lunas(['account', 'refresh', '--account', 'AAAAAAAAAAA'])).stderr).toContain('not found')
  })

  it('answers usage errors with exit code 2 and help with 0', async () => {
    const usage = await lunas([
      'account',
      'add',
      '--bank-type',
      'sandbox',
      '--number',
      '1',
      '--holder',
      'A',
      '--interval',
      '0',
    ])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('interval must be a whole number from 1 to 1440')
    expect((await lunas(['nope'])).code).toBe(2)
    expect((await lunas([])).code).toBe(2)
    const help = await lunas(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: lunas')
  })

  it('refuses start inside a running server, reports config errors plainly, and passes other errors on', async () => {
    expect(await lunas(['start'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('already running'),
    })
    expect(await lunas(['migrate'])).toMatchObject({ code: 0, stdout: 'Database is up to date.\n' })

    const bad = await lunas(['account', 'list'], {
      app: async () => {
        throw new ConfigError('Invalid configuration:\n  PORT: bad')
      },
    })
    expect(bad).toMatchObject({ code: 1, stderr: 'Invalid configuration:\n  PORT: bad\n' })
    const bug = new TypeError('boom')
    await expect(
      lunas(['account', 'list'], {
        app: async () => {
          throw bug
        },
      }),
    ).rejects.toBe(bug)
  })
})
