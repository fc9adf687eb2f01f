import { describe, expect, it } from 'vitest'
import { AppError } from '../shared/errors.ts'
import { validateBatch } from './validate.ts'

const ok = { date: '2026-11-20', type: 'CR' as const, amount: '150123', description: 'TRSF' }

function errorOf(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a validation error')
}

describe('validateBatch', () => {
  it('converts rupiah text to exact sen and WIB dates to UTC instants', () => {
    const [r] = validateBatch([{ ...ok, amount: '150123.45', balance: '-10.5', date: '2026-11-20 06:30:00' }])
    expect(r!.amount).toBe(15012345n)
    expect(r!.balance).toBe(-1050n)
    expect(r!.occurredAt.toISOString()).toBe('2026-11-19T23:30:00.000Z')
    expect(r!.wibDate).toBe('2026-11-20')
  })

  it.each([
    [{ amount: '-5' }, 'rows[1].amount'],
    [{ amount: 'abc' }, 'rows[1].amount'],
    [{ amount: 1.234 }, 'rows[1].amount'],
    [{ amount: '1.234' }, 'rows[1].amount'],
    [{ date: '2026-02-30' }, 'rows[1].date'],
    [{ date: '2026-11-20 24:00:00' }, 'rows[1].date'],
    [{ date: 'yesterday' }, 'rows[1].date'],
    [{ type: 'XX' }, 'rows[1].type'],
    [{ description: 5 }, 'rows[1].description'],
    [{ balance: '1,5' }, 'rows[1].balance'],
  ])('names the row and field of %j', (bad, field) => {
    const err = errorOf(() => validateBatch([ok, { ...ok, ...bad } as never]))
    expect(err.code).toBe('validation')
    expect(err.field).toBe(field)
    expect(err.message).toContain(field)
  })

  it('collapses whitespace in descriptions so re-reads with other padding match', () => {
    const [r] = validateBatch([{ ...ok, description: '  TRSF   E-BANKING\n CR  ' }])
    expect(r!.description).toBe('TRSF E-BANKING CR')
  })
})
