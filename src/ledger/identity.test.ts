import { describe, expect, it } from 'vitest'
import { identify } from './identity.ts'
import { validateBatch } from './validate.ts'

const day = (rows: { amount: string; description: string; date?: string; reference?: string }[]) =>
  validateBatch(rows.map((r) => ({ date: r.date ?? '2026-11-20', type: 'CR' as const, ...r })))

describe('identify', () => {
  it('gives a real second identical payment its own identity (A, B, A′)', () => {
    const [a, b, a2] = identify(
      'mt940',
      day([
        { amount: '150123', description: 'TRSF BUDI' },
        { amount: '99000', description: 'TRSF SITI' },
        { amount: '150123', description: 'TRSF BUDI' },
      ]),
    )
    expect(a!.identity).not.toBe(a2!.identity)
    expect(a!.identity.endsWith(':0')).toBe(true)
    expect(a2!.identity.endsWith(':1')).toBe(true)
    expect(b!.identity.endsWith(':0')).toBe(true)
    expect([a!.position, b!.position, a2!.position]).toEqual([0, 1, 2])
  })

  it('is stable across re-reads and independent of other days in the batch', () => {
    const once = identify(
      'mt940',
      day([
        { amount: '1', description: 'X' },
        { amount: '1', description: 'X' },
      ]),
    )
    const again = identify(
      'mt940',
      day([
        { amount: '5', description: 'Y', date: '2026-11-19' },
        { amount: '1', description: 'X' },
        { amount: '1', description: 'X' },
      ]),
    )
    expect(again.slice(1).map((r) => r.identity)).toEqual(once.map((r) => r.identity))
    expect(again.slice(1).map((r) => r.position)).toEqual([0, 1])
  })

  it('uses the source reference when there is one', () => {
    const [r] = identify('sandbox', day([{ amount: '1', description: 'X', reference: 'sim_1' }]))
    expect(r!.identity).toBe('ref:sandbox:sim_1')
  })

  it('tells apart rows that differ only in amount sen, direction or balance', () => {
    const rows = validateBatch([
      { date: '2026-11-20', type: 'CR', amount: '100.01', description: 'X' },
      { date: '2026-11-20', type: 'CR', amount: '100.02', description: 'X' },
      { date: '2026-11-20', type: 'DB', amount: '100.01', description: 'X' },
      { date: '2026-11-20', type: 'CR', amount: '100.01', description: 'X', balance: '5' },
    ])
    const ids = identify('csv', rows).map((r) => r.identity.replace(/:\d+$/, ''))
    expect(new Set(ids).size).toBe(4)
  })
})
