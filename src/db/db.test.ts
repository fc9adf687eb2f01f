import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onPostgres, openTestDb, type TestDb } from '../../test/db.ts'
import { isUniqueViolation } from './db.ts'
import { migrate } from './migrate.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
  await t.db.exec('create table kv (k text primary key, v bigint, d date)')
})
afterAll(() => t.close())

describe(`data layer (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('returns the same types on both engines: int8/numeric/date as text, timestamptz as Date', async () => {
    const [r] = await t.db.query(
      "select 9007199254740993::int8 as big, 1.50::numeric as num, '2026-11-20'::date as day, now() as ts, '{\"a\":1}'::jsonb as j",
    )
    expect(r).toMatchObject({ big: '9007199254740993', num: '1.50', day: '2026-11-20', j: { a: 1 } })
    expect(r!.ts).toBeInstanceOf(Date)
  })

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await t.db.tx(async (tx) => {
      await tx.query("insert into kv (k, v) values ('a', 1)")
    })
    await expect(
      t.db.tx(async (tx) => {
        await tx.query("insert into kv (k, v) values ('b', 2)")
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await t.db.query('select k from kv order by k')).toEqual([{ k: 'a' }])
  })

  it('carries SQLSTATE and constraint of errors', async () => {
    const err = await t.db.query("insert into kv (k, v) values ('a', 1)").catch((e: unknown) => e)
    expect(isUniqueViolation(err, 'kv_pkey')).toBe(true)
  })

  it('keeps concurrent transactions apart', async () => {
    const bump = () =>
      t.db.tx(async (tx) => {
        const [row] = await tx.query<{ v: string }>("select v from kv where k = 'a' for update")
        await new Promise((r) => setTimeout(r, 5))
        await tx.query("update kv set v = $1 where k = 'a'", [BigInt(row!.v) + 1n])
      })
    await Promise.all(Array.from({ length: 10 }, bump))
    expect(await t.db.query("select v from kv where k = 'a'")).toEqual([{ v: '11' }])
  })

  it('runs migrations once', async () => {
    expect(await migrate(t.db)).toEqual([])
  })
})

describe.skipIf(onPostgres)('PGlite in a worker thread', () => {
  it('does not stall the event loop during a slow query', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    await t.db.query('select pg_sleep(0.4)')
    clearInterval(timer)
    // In-process PGlite would freeze the loop for the whole 400 ms (0–1 ticks); in the worker timers keep firing
    // (about 40 ticks; the bound leaves room for a loaded CI machine).
    expect(ticks).toBeGreaterThanOrEqual(5)
  })
})
