import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { type Account, addAccount } from '../accounts/accounts.ts'
import { randomBase62 } from '../shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'
import { recordManualEntry } from './manual.ts'

let t: TestDb
let ws: Workspace
beforeAll(async () => {
  t = await openTestDb()
  ws = await ensureWorkspace(t.db, 'manual')
})
afterAll(() => t.close())

const account = (bankType = 'cash') =>
  addAccount(t.db, ws, { bankType, accountNumber: randomBase62(8), holderName: 'TOKO KAS' })

type Stored = {
  public_id: string
  direction: string
  amount: string
  balance: string
  description: string
  note: string | null
  reference: string
  source: string
  sandbox: boolean
  raw: Record<string, unknown>
}
const stored = (a: Account) =>
  t.db.query<Stored>(
    `select public_id, direction, amount, balance, description, note, reference, source, sandbox, raw
     from mutations where account_id = $1 order by occurred_at, position, id`,
    [a.id],
  )
const gaps = async (a: Account) =>
  Number(
    (await t.db.query<{ n: string }>('select count(*) as n from balance_gaps where account_id = $1', [a.id]))[0]!.n,
  )

describe('recordManualEntry', () => {
  it('stores one entry per call with a man_ reference, source manual and a running balance', async () => {
    const a = await account()
    const first = await recordManualEntry(t.db, ws, {
      accountId: a.publicId,
      amount: '150000',
      type: 'CR',
      description: 'Penjualan tunai',
      note: 'kasir 1',
      date: '2026-11-20 09:00:00',
    })
    const second = await recordManualEntry(t.db, ws, {
      accountId: a.publicId,
      amount: '25000.50',
      type: 'DB',
      date: '2026-11-20 10:00:00',
    })
    expect(first).toMatchObject({ total: 1, new: 1 })
    expect(second).toMatchObject({ total: 1, new: 1 })
    const rows = await stored(a)
    expect(rows.map((r) => r.public_id)).toEqual([first.mutationId, second.mutationId])
    expect(rows[0]).toMatchObject({
      direction: 'CR',
      amount: '15000000',
      balance: '15000000',
      description: 'Penjualan tunai',
      note: 'kasir 1',
      source: 'manual',
      sandbox: false,
      raw: { amount: '150000', type: 'CR', description: 'Penjualan tunai', note: 'kasir 1', date: '2026-11-20 09:00:00' },
    })
    expect(rows[1]).toMatchObject({
      direction: 'DB',
      amount: '2500050',
      balance: '12499950',
      description: 'PENGELUARAN TUNAI',
      source: 'manual',
    })
    for (const r of rows) expect(r.reference).toMatch(/^man_[0-9A-Za-z]{16}$/)
    expect(rows[0]!.reference).not.toBe(rows[1]!.reference)
    expect(await gaps(a)).toBe(0)
  })

  it('continues the balance when entries are sent at once', async () => {
    const a = await account()
    await Promise.all(
      Array.from({ length: 5 }, () => recordManualEntry(t.db, ws, { accountId: a.publicId, amount: '1000', type: 'CR' })),
    )
    const rows = await stored(a)
    expect(rows.map((r) => r.balance).sort()).toEqual(['100000', '200000', '300000', '400000', '500000'])
    expect(await gaps(a)).toBe(0)
  })

  it('refuses non-cash accounts, zero amounts and bad types, storing nothing', async () => {
    for (const bankType of ['bca', 'sandbox']) {
      const a = await account(bankType)
      await expect(recordManualEntry(t.db, ws, { accountId: a.publicId, amount: '1000', type: 'CR' })).rejects.toMatchObject({
        code: 'validation',
        field: 'bank_id',
      })
      expect(await stored(a)).toEqual([])
    }
    const cash = await account()
    await expect(recordManualEntry(t.db, ws, { accountId: cash.publicId, amount: '0', type: 'CR' })).rejects.toMatchObject({
      field: 'amount',
    })
    await expect(
      recordManualEntry(t.db, ws, { accountId: cash.publicId, amount: '1', type: 'XX' as 'CR' }),
    ).rejects.toMatchObject({ field: 'type' })
    expect(await stored(cash)).toEqual([])
  })

  it("does not find another workspace's account", async () => {
    const other = await ensureWorkspace(t.db, 'manual-other')
    const a = await account()
    await expect(recordManualEntry(t.db, other, { accountId: a.publicId, amount: '1000', type: 'CR' })).rejects.toMatchObject({
      code: 'not_found',
    })
  })
})
