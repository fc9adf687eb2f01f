/**
 * The contract every polling connector passes (call it from the connector's own test file). It checks, on a real
 * database, what the sync path relies on: rows the ledger accepts, deterministic re-reads, the identity rule the
 * connector declares (stable references, or whole WIB days that later reads only extend), failures as
 * ConnectorError, and a prompt stop when the read is aborted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { type Account, addAccount } from '../accounts/accounts.ts'
import { ingest } from '../ledger/ingest.ts'
import type { SourceRow } from '../ledger/types.ts'
import { AppError } from '../shared/errors.ts'
import { randomBase62 } from '../shared/ids.ts'
import { parseWhen, wibDate } from '../shared/time.ts'
import { ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'
import { type Connector, ConnectorError, type ConnectorErrorCode } from './connector.ts'
import { connectorFor } from './registry.ts'

export interface ContractFixture {
  /** Account settings under which the source answers normally. */
  settings: Record<string, unknown>
  credentials?: string
  /** The instant of the first read; it must return at least one row. */
  now: Date
  /** Settings (or credentials) that make the source fail, each with the code it must fail with. */
  failures?: {
    name: string
    settings?: Record<string, unknown>
    credentials?: string
    code: ConnectorErrorCode
  }[]
  /** Settings under which the source answers rows the ledger must refuse as a whole. */
  rejected?: Record<string, unknown>
  /** Settings under which the source does not answer, to check it stops when aborted (default: `settings`). */
  hanging?: Record<string, unknown>
}

export type MakeFixture = (bankType: string) => ContractFixture | Promise<ContractFixture>

/** Later instants the contract reads again at: same day, later that day, the next day. */
const LATER_MS = [7 * 60_000, 5 * 3_600_000, 24 * 3_600_000]

const dayOf = (row: SourceRow): string => wibDate(parseWhen(row.date))

function byDay(rows: readonly SourceRow[]): Map<string, SourceRow[]> {
  const days = new Map<string, SourceRow[]>()
  for (const r of rows) {
    const day = dayOf(r)
    const list = days.get(day)
    if (list) list.push(r)
    else days.set(day, [r])
  }
  return days
}

export function connectorContract(connector: Connector, makeFixture: MakeFixture): void {
  let t: TestDb
  let ws: Workspace
  describe(`connector contract: ${connector.id}`, () => {
    beforeAll(async () => {
      t = await openTestDb()
      ws = await ensureWorkspace(t.db, 'contract')
    })
    afterAll(() => t.close())
    describe.each([...connector.bankTypes])('%s', (bankType) => contractFor(bankType))
  })

  function contractFor(bankType: string): void {
    let fx: ContractFixture
    beforeAll(async () => {
      fx = await makeFixture(bankType)
    })

    const newAccount = (settings = fx.settings): Promise<Account> =>
      addAccount(t.db, ws, { bankType, accountNumber: randomBase62(10), holderName: 'KONTRAK', settings })

    const read = (
      account: Account,
      now: Date,
      over: Partial<{ settings: Record<string, unknown>; signal: AbortSignal; credentials: string }> = {},
    ) =>
      connector.fetch({
        account,
        settings: over.settings ?? account.settings,
        now,
        signal: over.signal ?? new AbortController().signal,
        ...((over.credentials ?? fx.credentials) === undefined
          ? {}
          : { credentials: over.credentials ?? fx.credentials }),
      })

    const stored = async (account: Account): Promise<number> => {
      const [r] = await t.db.query<{ n: string }>(
        'select count(*) as n from mutations where account_id = $1',
        [account.id],
      )
      return Number(r!.n)
    }

    it('is the registered connector for its bank type', async () => {
      expect(connectorFor(await newAccount())).toBe(connector)
    })

    it('returns rows the ledger accepts, all of them new on a fresh account', async () => {
      const account = await newAccount()
      const rows = await read(account, fx.now)
      expect(rows.length).toBeGreaterThan(0)
      const result = await ingest(t.db, ws, { accountId: account.publicId, source: connector.source, rows })
      expect(result.inserted).toHaveLength(rows.length)
    })

    it('answers a re-read of the same window with the same rows', async () => {
      const account = await newAccount()
      expect(await read(account, fx.now)).toEqual(await read(account, fx.now))
    })

    if (connector.identity === 'reference') {
      it('gives every row a unique reference that later reads keep', async () => {
        const account = await newAccount()
        const first = await read(account, fx.now)
        const refs = first.map((r) => r.reference)
        for (const ref of refs) expect(typeof ref === 'string' && ref.trim() !== '').toBe(true)
        expect(new Set(refs).size).toBe(refs.length)
        for (const ms of LATER_MS) {
          const later = await read(account, new Date(fx.now.getTime() + ms))
          for (const row of later) {
            const before = first.find((r) => r.reference === row.reference)
            if (before) expect(row).toEqual(before)
          }
        }
      })
    } else {
      it('returns whole WIB days in order, which later reads only extend', async () => {
        const account = await newAccount()
        const first = await read(account, fx.now)
        for (const r of first) expect(r.reference ?? null).toBeNull()
        const days = first.map(dayOf)
        expect([...days].sort()).toEqual(days)
        for (const ms of LATER_MS) {
          const laterDays = byDay(await read(account, new Date(fx.now.getTime() + ms)))
          for (const [day, rows] of byDay(first)) {
            const again = laterDays.get(day)
            if (!again) continue
            // Nothing may appear before or between rows already read: that would shift occurrence indexes.
            expect(again.slice(0, rows.length)).toEqual(rows)
            if (day < wibDate(fx.now)) expect(again).toEqual(rows)
          }
        }
      })

      it('stores exactly the rows a later read adds, however often days are re-read', async () => {
        const account = await newAccount()
        const reads = [await read(account, fx.now)]
        for (const ms of LATER_MS) reads.push(await read(account, new Date(fx.now.getTime() + ms)))
        const distinct = new Map<string, number>()
        for (const rows of reads)
          for (const [day, list] of byDay(rows))
            distinct.set(day, Math.max(distinct.get(day) ?? 0, list.length))
        for (const rows of [...reads, ...reads.slice().reverse()])
          await ingest(t.db, ws, { accountId: account.publicId, source: connector.source, rows })
        expect(await stored(account)).toBe([...distinct.values()].reduce((a, b) => a + b, 0))
      })
    }

    it('reports source failures as ConnectorError with the right code', async () => {
      const account = await newAccount()
      for (const f of fx.failures ?? []) {
        const failing = read(account, fx.now, {
          settings: f.settings ?? fx.settings,
          ...(f.credentials === undefined ? {} : { credentials: f.credentials }),
        })
        await expect(failing, f.name).rejects.toBeInstanceOf(ConnectorError)
        await expect(failing, f.name).rejects.toMatchObject({ code: f.code })
      }
    })

    it('answers rows the ledger refuses as a whole when the data is malformed', async () => {
      if (!fx.rejected) return
      const account = await newAccount()
      const rows = await read(account, fx.now, { settings: fx.rejected })
      const attempt = ingest(t.db, ws, { accountId: account.publicId, source: connector.source, rows })
      await expect(attempt).rejects.toBeInstanceOf(AppError)
      await expect(attempt).rejects.toMatchObject({
        code: 'validation',
        field: expect.stringMatching(/^rows\[\d+\]\./),
      })
      expect(await stored(account)).toBe(0)
    })

    it('stops promptly when the read is aborted', async () => {
      const account = await newAccount()
      const gone = new AbortController()
      gone.abort(new ConnectorError('timeout', 'deadline passed'))
      await expect(read(account, fx.now, { signal: gone.signal })).rejects.toMatchObject({ code: 'timeout' })

      const soon = new AbortController()
      const started = Date.now()
      setTimeout(() => soon.abort(new ConnectorError('timeout', 'deadline passed')), 30)
      const hanging = read(account, fx.now, { settings: fx.hanging ?? fx.settings, signal: soon.signal })
      // A source that answers before the deadline passes too; one that waits must stop once aborted.
      await hanging.catch((err: unknown) => expect(err).toBeInstanceOf(ConnectorError))
      expect(Date.now() - started).toBeLessThan(2_000)
    })
  }
}
