import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { AppError } from '../shared/errors.ts'
import { ingest } from './ingest.ts'
import { deleteMutations } from './mutations.ts'
import type { SourceRow } from './types.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

const row = (amount: string, description: string, extra: Partial<SourceRow> = {}): SourceRow => ({
  date: '2026-11-20',
  type: 'CR',
  amount,
  description,
  ...extra,
})

async function count(sql: string, params: unknown[]): Promise<number> {
  const [r] = await t.db.query<{ n: string }>(sql, params)
  return Number(r!.n)
}

describe('ingest', () => {
  it('keeps A, B and a real second A′ on one day, and a re-read adds nothing', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const day = [row('150123', 'TRSF BUDI'), row('99000', 'TRSF SITI'), row('150123', 'TRSF BUDI')]
    const first = await ingest(t.db, ws, { accountId: acc.publicId, source: 'mt940', rows: day })
    expect(first.inserted.map((m) => m.amount)).toEqual([15012300n, 9900000n, 15012300n])
    const again = await ingest(t.db, ws, { accountId: acc.publicId, source: 'mt940', rows: day })
    expect(again).toMatchObject({ seen: 3, inserted: [], duplicates: 3 })
    expect(await count('select count(*) as n from mutations where account_id = $1', [acc.id])).toBe(3)
  })

  it('adds only the new tail when the current day is read again later', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const morning = [row('10000', 'A'), row('10000', 'A')]
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: morning })
    const evening = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [...morning, row('10000', 'A'), row('5', 'B')],
    })
    expect(evening.inserted.map((m) => m.description)).toEqual(['A', 'B'])
  })

  it('writes one outbox event per new mutation in the same transaction', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const r = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [row('1', 'X'), row('2', 'Y')],
    })
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: [row('1', 'X'), row('2', 'Y')] })
    const events = await t.db.query<{ mutation_id: string; type: string }>(
      'select mutation_id, type from events where account_id = $1 order by id',
      [acc.id],
    )
    expect(events).toEqual(r.inserted.map((m) => ({ mutation_id: m.id, type: 'mutation.created' })))
  })

  it('numbers events per workspace, without gaps, across accounts and batches', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const a1 = await seedAccount(t.db, ws)
    const a2 = await seedAccount(t.db, ws)
    const theirs = await seedAccount(t.db, other)
    await ingest(t.db, ws, { accountId: a1.publicId, source: 'csv', rows: [row('1', 'X'), row('2', 'Y')] })
    await ingest(t.db, other, { accountId: theirs.publicId, source: 'csv', rows: [row('1', 'X')] })
    // A re-read adds nothing and must not consume numbers.
    await ingest(t.db, ws, { accountId: a1.publicId, source: 'csv', rows: [row('1', 'X'), row('2', 'Y')] })
    await ingest(t.db, ws, { accountId: a2.publicId, source: 'csv', rows: [row('3', 'Z')] })
    const seqs = async (w: { id: string }) =>
      (await t.db.query<{ seq: string }>('select seq from events where workspace_id = $1 order by id', [w.id])).map(
        (e) => Number(e.seq),
      )
    expect(await seqs(ws)).toEqual([1, 2, 3])
    expect(await seqs(other)).toEqual([1])
    const [w] = await t.db.query<{ event_seq: string }>('select event_seq from workspaces where id = $1', [ws.id])
    expect(w!.event_seq).toBe('3')
  })

  it('stores nothing of a batch with one bad row, and names the row and field', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    for (const bad of [{ amount: '-5' }, { amount: 'abc' }, { date: '2026-02-30' }, { type: 'XX' }]) {
      const err = await ingest(t.db, ws, {
        accountId: acc.publicId,
        source: 'csv',
        rows: [row('1', 'ok'), { ...row('2', 'bad'), ...bad } as SourceRow],
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).field).toMatch(/^rows\[1\]\./)
    }
    expect(await count('select count(*) as n from mutations where account_id = $1', [acc.id])).toBe(0)
    expect(await count('select count(*) as n from events where account_id = $1', [acc.id])).toBe(0)
  })

  it('refuses an unknown account and another workspace’s account', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const theirs = await seedAccount(t.db, other)
    for (const accountId of ['nOsUcHaCcNt', theirs.publicId]) {
      const err = await ingest(t.db, ws, { accountId, source: 'csv', rows: [row('1', 'X')] }).catch((e) => e)
      expect((err as AppError).code).toBe('not_found')
    }
    expect(await count('select count(*) as n from mutations where account_id = $1', [theirs.id])).toBe(0)
  })

  it('leaves a tombstone: a deleted mutation does not come back on re-read', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const rows = [row('1', 'X'), row('2', 'Y')]
    const r = await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    expect(await deleteMutations(t.db, ws, [r.inserted[0]!.publicId])).toEqual([r.inserted[0]!.publicId])
    const again = await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    expect(again.inserted).toEqual([])
    expect(
      await count('select count(*) as n from mutations where account_id = $1 and deleted_at is null', [
        acc.id,
      ]),
    ).toBe(1)
  })

  it('records a break in the running balance as a gap, and clears it when the missing row arrives', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const a = row('100', 'A', { balance: '1100', date: '2026-11-20 08:00:00' })
    const missing = row('50', 'B', {
      type: 'DB',
      balance: '1050',
      date: '2026-11-20 09:00:00',
      reference: 'b',
    })
    const c = row('25', 'C', { balance: '1075', date: '2026-11-20 10:00:00', reference: 'c' })
    const first = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'api',
      rows: [{ ...a, reference: 'a' }, c],
    })
    expect(first.gaps).toBe(1)
    const [gap] = await t.db.query(
      'select expected_balance, reported_balance from balance_gaps where account_id = $1',
      [acc.id],
    )
    expect(gap).toEqual({ expected_balance: '112500', reported_balance: '107500' })
    const reread = await ingest(t.db, ws, { accountId: acc.publicId, source: 'api', rows: [{ ...a, reference: 'a' }, c] })
    expect(reread).toMatchObject({ inserted: [], gaps: 1 })
    const second = await ingest(t.db, ws, { accountId: acc.publicId, source: 'api', rows: [missing] })
    expect(second.gaps).toBe(0)
  })

  it('keeps exact amounts and the raw input', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const raw = { line: '20/11 TRSF 9007199254740993.99' }
    await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [row('90071992547409.99', 'BIG', { raw, balance: '90071992547409.99' })],
    })
    const [m] = await t.db.query(
      'select amount, balance, raw, source, read_at from mutations where account_id = $1',
      [acc.id],
    )
    expect(m).toMatchObject({ amount: '9007199254740999', balance: '9007199254740999', raw, source: 'csv' })
    expect(m!.read_at).toBeInstanceOf(Date)
  })
})
