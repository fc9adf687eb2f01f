import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../../test/db.ts'
import { type Account, addAccount } from '../../accounts/accounts.ts'
import { randomBase62 } from '../../shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../../workspaces/workspaces.ts'
import { simulateTransaction } from './simulate.ts'

let t: TestDb
let ws: Workspace
beforeAll(async () => {
  t = await openTestDb()
  ws = await ensureWorkspace(t.db, 'simulate')
})
afterAll(() => t.close())

const account = (bankType = 'sandbox') =>
  addAccount(t.db, ws, { bankType, accountNumber: randomBase62(8), holderName: 'TOKO SANDBOX' })

type Stored = {
  public_id: string
  direction: string
  amount: string
  balance: string
  description: string
  note: string
  reference: string
  source: string
  sandbox: boolean
  occurred_at: Date
}
const stored = (a: Account) =>
  t.db.query<Stored>(
    `select public_id, direction, amount, balance, description, note, reference, source, sandbox, occurred_at
     from mutations where account_id = $1 order by occurred_at, position, id`,
    [a.id],
  )
const gaps = async (a: Account) =>
  Number(
    (
      await t.db.query<{ n: string }>('select count(*) as n from balance_gaps where account_id = $1', [a.id])
    )[0]!.n,
  )

describe('simulateTransaction', () => {
  it('stores one new mutation per call, each with its own simulator reference', async () => {
    const a = await account()
    const p = { accountId: a.publicId, amount: '150123', type: 'CR' as const }
    const first = await simulateTransaction(t.db, ws, p)
    const second = await simulateTransaction(t.db, ws, p)
    expect(first).toMatchObject({ total: 1, new: 1 })
    expect(second).toMatchObject({ total: 1, new: 1 })
    expect(second.mutationId).not.toBe(first.mutationId)
    const rows = await stored(a)
    expect(rows.map((r) => r.public_id)).toEqual([first.mutationId, second.mutationId])
    expect(rows[0]).toMatchObject({
      direction: 'CR',
      amount: '15012300',
      source: 'sandbox',
      sandbox: true,
      description: 'SIMULASI TRANSFER MASUK 150123.00 PELANGGAN SANDBOX',
    })
    expect(rows[0]!.reference).toMatch(/^sim_[0-9A-Za-z]{16}$/)
    expect(rows[1]!.reference).not.toBe(rows[0]!.reference)
  })

  it('keeps the running balance continuous from 0, also when calls arrive together', async () => {
    const a = await account('sandboxVA')
    await simulateTransaction(t.db, ws, { accountId: a.publicId, amount: '100000', type: 'CR' })
    await simulateTransaction(t.db, ws, {
      accountId: a.publicId,
      amount: '30000.50',
      type: 'DB',
      note: 'refund',
    })
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        simulateTransaction(t.db, ws, { accountId: a.publicId, amount: String(i), type: 'CR' }),
      ),
    )
    const rows = await stored(a)
    expect(rows.slice(0, 2).map((r) => r.balance)).toEqual(['10000000', '6999950'])
    expect(rows[1]).toMatchObject({
      note: 'refund',
      description: 'SIMULASI TRANSFER KELUAR 30000.50 PEMBAYARAN SANDBOX',
    })
    expect(rows.at(-1)!.balance).toBe(String(6999950 + 1500))
    expect(await gaps(a)).toBe(0)
  })

  it('takes a description and a date, continuing the balance at that date', async () => {
    const a = await account()
    await simulateTransaction(t.db, ws, {
      accountId: a.publicId,
      amount: '500',
      type: 'CR',
      date: '2026-11-20 09:00:00',
    })
    await simulateTransaction(t.db, ws, {
      accountId: a.publicId,
      amount: '20',
      type: 'CR',
      date: '2026-11-20 10:00:00',
      description: 'TRSF E-BANKING CR BUDI',
    })
    const rows = await stored(a)
    expect(rows[1]).toMatchObject({ description: 'TRSF E-BANKING CR BUDI', balance: '52000' })
    expect(rows[1]!.occurred_at.toISOString()).toBe('2026-11-20T03:00:00.000Z')
  })

  it('refuses accounts that are not sandbox accounts, and bad input', async () => {
    const bank = await addAccount(t.db, ws, { bankType: 'bca', accountNumber: '777', holderName: 'X' })
    const a = await account()
    const bad = [
      { accountId: bank.publicId, amount: '1', type: 'CR' as const },
      { accountId: a.publicId, amount: '-5', type: 'CR' as const },
      { accountId: a.publicId, amount: '0', type: 'CR' as const },
      { accountId: a.publicId, amount: '1', type: 'XX' as 'CR' },
      { accountId: a.publicId, amount: '1', type: 'CR' as const, date: '2026-02-30' },
    ]
    for (const p of bad)
      await expect(simulateTransaction(t.db, ws, p)).rejects.toMatchObject({ code: 'validation' })
    await expect(
      simulateTransaction(t.db, ws, { accountId: 'nope', amount: '1', type: 'CR' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    })
    expect(await stored(bank)).toHaveLength(0)
    expect(await stored(a)).toHaveLength(0)
  })
})
