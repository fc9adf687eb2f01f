import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { ingest } from './ingest.ts'
import {
  findMootaAccount,
  findMootaMutation,
  listMootaMutations,
  setMutationNote,
  summarizeMootaMutations,
} from './moota-list.ts'
import { deleteMutations } from './mutations.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

describe('Moota list queries', () => {
  it('pages by offset with an exact total, newest first, with the latest balance per account', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const rows = Array.from({ length: 25 }, (_, i) => ({
      date: `2026-03-${String(i + 1).padStart(2, '0')} 10:00:00`,
      type: 'CR' as const,
      amount: `${1000 + i}`,
      description: `TRF ${i}`,
      balance: `${(i + 1) * 100000}`,
    }))
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    const p1 = await listMootaMutations(t.db, ws, {}, 1, 10)
    expect(p1.total).toBe(25)
    expect(p1.rows.map((r) => r.description)).toEqual(Array.from({ length: 10 }, (_, i) => `TRF ${24 - i}`))
    expect(p1.rows[0]!.account.balance).toBe('250000000')
    const p3 = await listMootaMutations(t.db, ws, {}, 3, 10)
    expect(p3.rows.map((r) => r.description)).toEqual(['TRF 4', 'TRF 3', 'TRF 2', 'TRF 1', 'TRF 0'])
    expect(await listMootaMutations(t.db, ws, {}, 4, 10)).toEqual({ total: 25, rows: [] })
    const ranged = await listMootaMutations(t.db, ws, { from: '2026-03-05', to: '2026-03-06', type: 'CR' }, 1, 10)
    expect(ranged.rows.map((r) => r.description)).toEqual(['TRF 5', 'TRF 4'])
  })

  it('scopes notes, lookups and summaries to the workspace and skips tombstones', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const r = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-03-01', type: 'CR', amount: '100.50', description: 'IN' },
        { date: '2026-03-01', type: 'DB', amount: '20', description: 'OUT' },
      ],
    })
    const [inId, outId] = r.inserted.map((m) => m.publicId) as [string, string]
    expect(await setMutationNote(t.db, other, inId, 'x')).toBeNull()
    expect(await findMootaMutation(t.db, other, inId)).toBeNull()
    expect(await findMootaAccount(t.db, other, acc.publicId)).toBeNull()
    expect((await setMutationNote(t.db, ws, inId, 'paid'))!.note).toBe('paid')
    expect(await summarizeMootaMutations(t.db, ws, {})).toMatchObject({
      creditCount: 1,
      creditAmount: 10050n,
      debitCount: 1,
      debitAmount: 2000n,
    })
    expect(await deleteMutations(t.db, ws, [outId])).toEqual([outId])
    expect(await findMootaMutation(t.db, ws, outId)).toBeNull()
    expect(await setMutationNote(t.db, ws, outId, 'x')).toBeNull()
    expect(await summarizeMootaMutations(t.db, ws, {})).toMatchObject({ debitCount: 0, debitAmount: 0n })
    expect((await listMootaMutations(t.db, other, {}, 1, 10)).total).toBe(0)
  })
})
