import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import type { App } from '../app.ts'
import { ConfigError, loadConfig } from '../config.ts'
import { createLogger } from '../shared/log.ts'
import { authenticateToken } from '../tokens/tokens.ts'
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
    expect(r.stdout).toContain('(scopes: mutation_read, bank_read), in live mode.')
    expect(r.last).toMatch(/^lns_pat_[0-9A-Za-z]{40}$/)
    const sandbox = await lunas(['token', 'create', '--email', 'A@toko.id', '--mode', 'sandbox'])
    expect(sandbox.code).toBe(0)
    expect(sandbox.stdout).toContain('in sandbox mode.')
    const [row] = await t.db.query<{ mode: string }>('select mode from api_tokens where hint = $1', [sandbox.last.slice(-4)])
    expect(row?.mode).toBe('sandbox')
    const wrong = await lunas(['token', 'create', '--email', 'A@toko.id', '--mode', 'test'])
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toContain('mode must be one of live, sandbox')

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

  it('lists tokens without their secret and revokes them by id, within one workspace', async () => {
    await lunas(['user', 'create', '--email', 'kasir@pasar.id', '--password', 'password1', '--workspace', 'pasar'])
    await lunas(['user', 'create', '--email', 'bos@pasar.id', '--password', 'password1', '--workspace', 'pasar'])
    const kasir = (await lunas(['token', 'create', '--email', 'kasir@pasar.id', '--scopes', 'mutation_read', '--name', 'kasir-1'])).last
    const bos = (await lunas(['token', 'create', '--email', 'bos@pasar.id'])).last
    const other = (await lunas(['token', 'create', '--email', 'a@toko.id', '--workspace', 'toko'])).last

    const listed = await lunas(['token', 'list', '--workspace', 'pasar'])
    expect(listed.code).toBe(0)
    const lines = listed.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+USER\s+SCOPES\s+MODE\s+HINT\s+CREATED \(WIB\)\s+LAST USED \(WIB\)\s+REVOKED \(WIB\)$/)
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^[0-9A-Za-z]{11}\s+kasir-1\s+kasir@pasar\.id\s+mutation_read\s+live\s+/)
    expect(lines[1]).toContain(`…${kasir.slice(-4)}`)
    expect(lines[1]).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+never$/)
    expect(lines[2]).toContain('bos@pasar.id')
    const [hashes] = [await t.db.query<{ token_hash: string }>('select token_hash from api_tokens')]
    for (const secret of [kasir, bos, other, ...hashes.map((h) => h.token_hash)]) expect(listed.stdout).not.toContain(secret)
    expect(listed.stdout).not.toContain('a@toko.id')

    const onlyBos = await lunas(['token', 'list', '--workspace', 'pasar', '--email', 'BOS@pasar.id'])
    expect(onlyBos.stdout.trimEnd().split('\n')).toHaveLength(2)
    expect(onlyBos.stdout).toContain('bos@pasar.id')
    expect((await lunas(['token', 'list', '--workspace', 'pasar', '--email', 'nobody@pasar.id'])).stderr).toContain(
      'user nobody@pasar.id not found',
    )

    const kasirId = lines[1]!.split(/\s+/)[0]!
    const otherId = (await lunas(['token', 'list', '--workspace', 'toko'])).stdout
      .split('\n')
      .find((l) => l.includes(`…${other.slice(-4)}`))!
      .split(/\s+/)[0]!
    // Another workspace's token is not found from here, and stays valid.
    const wrong = await lunas(['token', 'revoke', '--id', otherId, '--workspace', 'pasar'])
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining(`token ${otherId} not found`) })
    expect(await authenticateToken(t.db, other)).not.toBeNull()

    const revoked = await lunas(['token', 'revoke', '--id', kasirId, '--workspace', 'pasar'])
    expect(revoked).toMatchObject({ code: 0, last: `Revoked token ${kasirId} in workspace "pasar".` })
    expect(await authenticateToken(t.db, kasir)).toBeNull()
    expect(await authenticateToken(t.db, bos)).not.toBeNull()
    expect((await lunas(['token', 'revoke', '--id', kasirId, '--workspace', 'pasar'])).code).toBe(0)
    const after = (await lunas(['token', 'list', '--workspace', 'pasar'])).stdout.split('\n')[1]!
    expect(after).toMatch(/never\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect((await lunas(['token', 'revoke', '--workspace', 'pasar'])).code).toBe(2)
    expect((await lunas(['token', 'list', '--workspace', 'nowhere'])).code).toBe(1)
  })

  it('adds, lists, tests and removes webhooks; the secret is never printed', async () => {
    const ws = ['--workspace', 'kedai']
    expect((await lunas(['user', 'create', '--email', 'k@kedai.id', '--password', 'password1', ...ws])).code).toBe(0)
    const acc = (await lunas(['account', 'add', '--bank-type', 'bca', '--number', '123', '--holder', 'K', ...ws])).last
    const added = await lunas(['webhook', 'add', '--url', 'https://kedai.id/moota', '--secret', 'FcZnoVBN', '--account', acc, '--kinds', 'credit', '--start', '1', ...ws])
    expect(added).toMatchObject({ code: 0, last: expect.stringMatching(/^[0-9A-Za-z]{11}$/) })
    expect(added.stdout).toContain(`account ${acc}, credit, unique codes 1–999`)
    const id = added.last
    const list = await lunas(['webhook', 'list', ...ws])
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+${acc}\\s+credit\\s+1–999\\s+moota\\s+yes`, 'm'))
    const json = JSON.parse((await lunas(['webhook', 'list', '--json', ...ws])).stdout)
    expect(json).toEqual([expect.objectContaining({ id, url: 'https://kedai.id/moota', account_id: acc, start_unique_code: 1 })])
    for (const out of [added.stdout, list.stdout, JSON.stringify(json)]) expect(out).not.toContain('FcZnoVBN')

    const tested = await lunas(['webhook', 'test', '--id', id, ...ws])
    expect(tested.code).toBe(0)
    const [d] = await t.db.query<{ trigger: string; body: string }>('select trigger, body from webhook_deliveries where public_id = $1', [
      tested.last,
    ])
    expect(d!.trigger).toBe('test')
    expect(JSON.parse(d!.body)[0]).toMatchObject({ amount: 10000, bank_id: acc })

    const bad = await lunas(['webhook', 'add', '--url', 'ftp://kedai.id', '--secret', 'x', ...ws])
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('http') })
    expect((await lunas(['webhook', 'add', '--url', 'https://kedai.id', ...ws])).stderr).toContain('--secret-stdin')
    expect((await lunas(['webhook', 'add', '--url', 'https://kedai.id', '--secret', 'x', '--end', '1000', ...ws])).code).toBe(2)

    expect(await lunas(['webhook', 'remove', '--id', id, ...ws])).toMatchObject({ code: 0, last: `Removed webhook ${id} from workspace "kedai".` })
    expect((await lunas(['webhook', 'remove', '--id', id, ...ws])).stderr).toContain(`webhook ${id} not found`)
    expect((await lunas(['webhook', 'list', ...ws])).stdout).toContain('No webhooks in workspace "kedai"')
  })
})
