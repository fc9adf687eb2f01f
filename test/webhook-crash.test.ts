/**
 * On the embedded database: a `lunas start` process killed with SIGKILL in the middle of a delivery loses nothing.
 * After a restart the same delivery goes out again with the same webhook-id and the same bytes, and every delivery
 * ends delivered. (Competing workers and lease expiry under several processes are PostgreSQL's tests.)
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addAccount } from '../src/accounts/accounts.ts'
import { openApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { newSecretKey } from '../src/shared/crypto.ts'
import { createLogger } from '../src/shared/log.ts'
import { createUser } from '../src/users/users.ts'
import { createEndpoint } from '../src/webhooks/endpoints.ts'
import { TEST_PG_URL } from './db.ts'
import { type Env, killServers, SLOW, startServer } from './processes.ts'

afterAll(killServers)

type Got = { id: string; body: string; headers: IncomingHttpHeaders }

describe.skipIf(TEST_PG_URL)('webhook delivery across a crash (embedded)', { timeout: SLOW }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lunas-crash-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('re-sends the delivery a killed process was sending, with the same webhook-id and body', async () => {
    // The receiver hangs on everything until the crash, then answers 200.
    let healthy = false
    const got: Got[] = []
    const hanging: ServerResponse[] = []
    let firstArrived!: () => void
    const first = new Promise<void>((r) => (firstArrived = r))
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        got.push({ id: String(req.headers['webhook-id']), body: Buffer.concat(chunks).toString(), headers: req.headers })
        if (healthy) res.end('OK')
        else {
          hanging.push(res)
          firstArrived()
        }
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

    const env: Env = {
      LUNAS_DATA_DIR: dir,
      LUNAS_SECRET_KEY: newSecretKey(),
      LUNAS_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
      LUNAS_WEBHOOK_TIMEOUT_MS: '60000',
      LUNAS_WEBHOOK_LEASE_SECONDS: '65',
      LUNAS_WEBHOOK_POLL_MS: '100',
    }
    // Set up while no server runs: a workspace, an account, an endpoint and three batches, so three deliveries wait.
    const app = await openApp(loadConfig(env), { log: createLogger('silent'), warnKeyFile: false })
    const { workspace } = await createUser(app.db, { email: 'toko@example.test', password: 'correct horse battery' })
    const acc = await addAccount(app.db, workspace, { bankType: 'bca', accountNumber: '1234567890', holderName: 'Toko' })
    await createEndpoint(app.db, workspace, app.secretKey, { url, secret: 'rahasia' })
    for (const amount of ['150123', '99000', '250500'])
      await ingest(app.db, workspace, {
        accountId: acc.publicId,
        source: 'csv',
        rows: [{ date: '2026-11-20', type: 'CR', amount, description: `TRF ${amount}` }],
      })
    await app.db.close()

    const crashed = await startServer(env)
    await first
    expect(await crashed.stop('SIGKILL')).toBe('SIGKILL')
    const beforeCrash = [...got]
    for (const res of hanging) res.destroy()
    healthy = true

    // The killed worker's leases run 65 s (a long request timeout keeps the hanging attempt in flight until the kill,
    // however slow the machine); a restarted process must wait them out. Expire them now, as time would.
    const app2 = await openApp(loadConfig(env), { log: createLogger('silent'), warnKeyFile: false })
    const leased = await app2.db.query<{ n: string }>(
      "select count(*) as n from webhook_deliveries where status = 'pending' and lease_until > now()",
    )
    expect(Number(leased[0]!.n)).toBeGreaterThan(0)
    await app2.db.query("update webhook_deliveries set lease_until = now() - interval '1 second' where lease_until is not null")
    await app2.db.close()

    const restarted = await startServer(env)
    const deadline = Date.now() + 60_000
    while (new Set(got.filter((g) => g.headers['webhook-signature']).map((g) => g.id)).size < 3 || !allSucceededAfter(got, beforeCrash)) {
      if (Date.now() > deadline) throw new Error(`not delivered:\n${restarted.output()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await restarted.stop('SIGTERM')).toBe(0)
    receiver.closeAllConnections()
    receiver.close()

    // Every delivery the crashed process was sending came again with the same id and the same bytes.
    for (const lost of beforeCrash) {
      const again = got.slice(beforeCrash.length).find((g) => g.id === lost.id)
      expect(again, `delivery ${lost.id} re-sent`).toBeDefined()
      expect(again!.body).toBe(lost.body)
    }
    const app3 = await openApp(loadConfig(env), { log: createLogger('silent'), warnKeyFile: false })
    const statuses = await app3.db.query<{ status: string }>('select status from webhook_deliveries order by seq')
    await app3.db.close()
    expect(statuses.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  })
})

/** Each id first seen before the crash has been seen again after it. */
function allSucceededAfter(got: Got[], before: Got[]): boolean {
  const after = new Set(got.slice(before.length).map((g) => g.id))
  return before.every((b) => after.has(b.id))
}
