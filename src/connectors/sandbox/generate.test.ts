import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startOfWibDay } from '../../shared/time.ts'
import { type FeedPlan, type FeedTx, generateDay, rebasePlan, toSourceRow } from './generate.ts'

const DAY1 = '2026-11-20'
const DAY2 = '2026-11-21'
const DAY3 = '2026-11-22'
const endOf = (day: string) => new Date(startOfWibDay(day).getTime() + 86_400_000)

const plan = (over: Partial<FeedPlan> = {}): FeedPlan => ({
  seed: 42,
  baseAt: startOfWibDay(DAY1),
  baseBalance: 0n,
  rates: [{ from: startOfWibDay(DAY1), perHour: 120 }],
  kind: 'bank',
  accountNumber: '0123456789',
  ...over,
})

const key = (t: FeedTx) => `${t.type}|${t.amount}|${t.description}`

describe('sandbox feed generator', () => {
  it('gives the same day for the same seed, and another day for another seed', () => {
    const a = generateDay(plan(), DAY1, endOf(DAY1), 0n)
    expect(generateDay(plan(), DAY1, endOf(DAY1), 0n)).toEqual(a)
    expect(a.txs.length).toBeGreaterThan(2000)
    expect(generateDay(plan({ seed: 43 }), DAY1, endOf(DAY1), 0n).txs).not.toEqual(a.txs)
  })

  it('only appends to a day as time passes', () => {
    const full = generateDay(plan(), DAY1, endOf(DAY1), 0n).txs
    const noon = generateDay(plan(), DAY1, new Date(startOfWibDay(DAY1).getTime() + 12 * 3_600_000), 0n).txs
    expect(noon.length).toBeGreaterThan(0)
    expect(noon.length).toBeLessThan(full.length)
    expect(full.slice(0, noon.length)).toEqual(noon)
  })

  it('keeps a continuous, never negative running balance on a bank account', () => {
    const { txs, closing } = generateDay(plan({ baseBalance: 500_00n }), DAY1, endOf(DAY1), 500_00n)
    let balance = 500_00n
    for (const t of txs) {
      balance += t.type === 'CR' ? t.amount : -t.amount
      expect(t.balance).toBe(balance)
      expect(balance >= 0n).toBe(true)
    }
    expect(closing).toBe(balance)
    expect(txs.some((t) => t.type === 'DB')).toBe(true)
    expect(txs.filter((t) => t.type === 'CR').length).toBeGreaterThan(txs.length / 2)
  })

  it('gives a virtual account payments only, without a balance', () => {
    const { txs } = generateDay(plan({ kind: 'va' }), DAY1, endOf(DAY1), 0n)
    expect(txs.every((t) => t.type === 'CR' && t.balance === null)).toBe(true)
    expect(txs[0]!.description).toMatch(/^PEMBAYARAN VA 88086789\d{8} [A-Z ]+$/)
  })

  it('includes genuinely identical twins within a day', () => {
    const { txs } = generateDay(plan({ kind: 'va' }), DAY1, endOf(DAY1), 0n)
    const counts = new Map<string, number>()
    for (const t of txs) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1)
    expect([...counts.values()].filter((n) => n > 1).length).toBeGreaterThan(10)
  })

  it('writes narratives the way Indonesian banks do, with unique codes on most amounts', () => {
    const { txs } = generateDay(plan(), DAY1, endOf(DAY1), 0n)
    const transfer = txs.find((t) => t.description.startsWith('TRSF E-BANKING CR'))!
    expect(transfer.description).toMatch(/^TRSF E-BANKING CR 2011\/FTSCY\/WS95\d{3} \d+\.00 [A-Z ]+$/)
    const credits = txs.filter((t) => t.type === 'CR')
    const coded = credits.filter((t) => (t.amount / 100n) % 1000n !== 0n)
    expect(coded.length / credits.length).toBeGreaterThan(0.7)
    expect(toSourceRow(transfer)).toMatchObject({
      type: 'CR',
      amount: expect.stringMatching(/^\d+\.00$/),
      balance: expect.stringMatching(/^\d+\.\d{2}$/),
      date: expect.stringMatching(/^2026-11-20 \d{2}:\d{2}:\d{2}$/),
    })
  })

  it('generates nothing before the feed starts, and a rate change only affects later seconds', () => {
    const noon = new Date(startOfWibDay(DAY1).getTime() + 12 * 3_600_000)
    const late = generateDay(
      plan({ baseAt: noon, rates: [{ from: noon, perHour: 120 }] }),
      DAY1,
      endOf(DAY1),
      0n,
    )
    expect(late.txs.every((t) => t.at >= noon)).toBe(true)

    const base = generateDay(plan(), DAY1, endOf(DAY1), 0n).txs
    const stopped = generateDay(
      plan({ rates: [...plan().rates, { from: noon, perHour: 0 }] }),
      DAY1,
      endOf(DAY1),
      0n,
    ).txs
    expect(stopped).toEqual(base.filter((t) => t.at < noon))
  })

  it('reads the same rows after a rebase to a later day start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 86_399 }),
        fc.integer({ min: 1, max: 300 }),
        (seed, rate, startSecond, laterRate) => {
          const start = new Date(startOfWibDay(DAY1).getTime() + startSecond * 1000)
          const change = new Date(startOfWibDay(DAY2).getTime() + 3_600_000)
          const p = plan({
            seed,
            baseAt: start,
            rates: [
              { from: start, perHour: rate },
              { from: change, perHour: laterRate },
            ],
          })
          const d1 = generateDay(p, DAY1, endOf(DAY1), 0n)
          const d2 = generateDay(p, DAY2, endOf(DAY2), d1.closing)
          const d3 = generateDay(p, DAY3, endOf(DAY3), d2.closing)
          const r = rebasePlan(p, startOfWibDay(DAY2), d1.closing)
          expect(r.rates.length).toBeLessThanOrEqual(2)
          const r2 = generateDay(r, DAY2, endOf(DAY2), r.baseBalance)
          expect(r2).toEqual(d2)
          expect(generateDay(r, DAY3, endOf(DAY3), r2.closing)).toEqual(d3)
        },
      ),
      { numRuns: 15 },
    )
  })
})
