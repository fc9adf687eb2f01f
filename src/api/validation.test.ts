import { describe, expect, it } from 'vitest'
import { body, flag, parseDirection, parseWibDay, rupiah } from './validation.ts'

describe('field parsers', () => {
  it('reads CR/DB and credit/debit in any case', () => {
    expect(['CR', 'cr', 'credit', ' Credit '].map((v) => parseDirection(v))).toEqual(['CR', 'CR', 'CR', 'CR'])
    expect(['DB', 'db', 'DEBIT'].map((v) => parseDirection(v))).toEqual(['DB', 'DB', 'DB'])
    expect(() => parseDirection('K')).toThrow(/CR or DB/)
    expect(() => parseDirection(1)).toThrow(/CR or DB/)
  })

  it('reads rupiah as sen without floats', () => {
    const amount = rupiah('amount')
    expect(amount.parse(150123)).toBe(15012300n)
    expect(amount.parse('150123.05')).toBe(15012305n)
    expect(amount.parse(0.1)).toBe(10n)
    expect(amount.safeParse(1.234).success).toBe(false)
    expect(amount.safeParse(1e21).success).toBe(false)
  })

  it('takes only whole, real WIB days', () => {
    expect(parseWibDay('2026-03-01', 'from')).toBe('2026-03-01')
    expect(() => parseWibDay('2026-02-29', 'from')).toThrow(/not a real date/)
    expect(() => parseWibDay('2026-03-01 10:00:00', 'from')).toThrow(/YYYY-MM-DD/)
  })

  it('reads flags, absent being false', () => {
    expect(flag.parse(undefined)).toBe(false)
    expect(flag.parse('true')).toBe(true)
    expect(flag.parse('0')).toBe(false)
    expect(flag.safeParse('maybe').success).toBe(false)
  })

  it('treats an absent, null or [] body as no fields', () => {
    const b = body({})
    for (const v of [undefined, null, []]) expect(b.parse(v)).toEqual({})
    expect(b.safeParse([1]).success).toBe(false)
  })
})
