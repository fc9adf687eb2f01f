/**
 * The events feed never skips: writers in several OS processes ingest into one workspace on PostgreSQL while a reader
 * follows the feed by `seq`; every page must start right after the previous one (a reader never sees a higher number
 * before a lower one becomes visible), and the reader ends with every event exactly once.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onPostgres, openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { ingest } from '../ledger/ingest.ts'
import { appendEvent, listEvents } from './events.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

describe('listEvents', () => {
  it('pages in seq order after a cursor, leaving sandbox events out unless asked', async () => {
    const ws = await seedWorkspace(t.db)
    const live = await seedAccount(t.db, ws)
    const sandbox = await seedAccount(t.db, ws, { bankType: 'sandbox' })
    const row = (amount: string) => ({ date: '2026-11-20', type: 'CR' as const, amount, description: `T ${amount}` })
    await ingest(t.db, ws, { accountId: live.publicId, source: 'csv', rows: [row('1'), row('2')] })
    await ingest(t.db, ws, { accountId: sandbox.publicId, source: 'sandbox', rows: [row('3')] })
    await t.db.tx((tx) => appendEvent(tx, ws.id, 'endpoint.disabled', { reason: 'test' }))
    const all = await listEvents(t.db, ws, { after: 0n, limit: 10, includeSandbox: true })
    expect(all.map((e) => [e.seq, e.type])).toEqual([
      ['1', 'mutation.created'],
      ['2', 'mutation.created'],
      ['3', 'mutation.created'],
      ['4', 'endpoint.disabled'],
    ])
    expect(all[3]!.data).toEqual({ reason: 'test' })
    const live2 = await listEvents(t.db, ws, { after: 1n, limit: 10, includeSandbox: false })
    expect(live2.map((e) => e.seq)).toEqual(['2', '4'])
    expect((await listEvents(t.db, ws, { after: 0n, limit: 2, includeSandbox: true })).map((e) => e.seq)).toEqual([
      '1',
      '2',
    ])
  })
})

describe.skipIf(!onPostgres)('the feed on PostgreSQL with several writer processes', () => {
  it('never shows a gap to a reader that follows it, and ends with every event once', async () => {
    const ws = await seedWorkspace(t.db)
    const accounts = await Promise.all([1, 2, 3, 4].map(() => seedAccount(t.db, ws)))
    const ingestUrl = new URL('../ledger/ingest.ts', import.meta.url).href
    const pgUrl = new URL('../db/postgres.ts', import.meta.url).href
    const BATCHES = 15
    // Each writer process ingests batches of 1–5 rows into its own account, as fast as it can.
    const writer = (accountId: string, n: number) => `
      import { ingest } from '${ingestUrl}'
      import { openPostgres } from '${pgUrl}'
      const db = openPostgres(${JSON.stringify(t.url)}, 2)
      const ws = ${JSON.stringify(ws)}
      for (let b = 0; b < ${BATCHES}; b++) {
        const rows = Array.from({ length: 1 + ((b * 7 + ${n}) % 5) }, (_, i) => ({
          date: '2026-11-20', type: 'CR', amount: String(1000 + b * 10 + i), description: 'W${n} ' + b + '-' + i,
        }))
        await ingest(db, ws, { accountId: '${accountId}', source: 'csv', rows })
      }
      await db.close()
    `
    const children = accounts.map(
      (a, n) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer(a.publicId, n)], {
            cwd: fileURLToPath(new URL('../..', import.meta.url)),
            stdio: ['ignore', 'inherit', 'inherit'],
          })
          child.on('error', reject)
          child.on('exit', (code) => resolve(code ?? 1))
        }),
    )
    let done = false
    const finished = Promise.all(children).then((codes) => {
      done = true
      return codes
    })
    const seen: number[] = []
    let after = 0n
    let pagesWhileWriting = 0
    for (;;) {
      const wasDone = done
      const page = await listEvents(t.db, ws, { after, limit: 7, includeSandbox: false })
      for (const e of page) {
        // The first event after the cursor is always the next number: no later one became visible before it.
        expect(Number(e.seq)).toBe(seen.length + 1)
        seen.push(Number(e.seq))
      }
      if (page.length) {
        after = BigInt(page.at(-1)!.seq)
        if (!wasDone) pagesWhileWriting++
      } else if (wasDone) break
    }
    expect(await finished).toEqual([0, 0, 0, 0])
    const [{ n }] = (await t.db.query<{ n: string }>('select count(*) as n from events where workspace_id = $1', [
      ws.id,
    ])) as [{ n: string }]
    expect(seen.length).toBe(Number(n))
    // The reader really raced the writers (a run that read only afterwards proves nothing).
    expect(pagesWhileWriting).toBeGreaterThan(3)
  }, 120_000)
})
