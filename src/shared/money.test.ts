import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from './errors.ts'
import { formatDecimal, formatRupiah, parseRupiah, uniqueCode } from './money.ts'

describe('money', () => {
  it('reads rupiah text and integer numbers as exact sen', () => {
    expect(parseRupiah('150123')).toBe(15012300n)
    expect(parseRupiah('150123.00')).toBe(15012300n)
    expect(parseRupiah('150123.5')).toBe(15012350n)
    expect(parseRupiah(150123)).toBe(15012300n)
    expect(parseRupiah(' 0.01 ')).toBe(1n)
    expect(parseRupiah('999999999999999.99')).toBe(99999999999999999n)
  })

  it.each(['-5', 'abc', '1.234', '1,5', '1.000.000', '', '1e5', 0.1 + 0.2, -1, Number.NaN, null, {}])(
    'rejects %j',
    (input) => {
      expect(() => parseRupiah(input)).toThrow(AppError)
    },
  )

  it('formats for Moota and for people', () => {
    expect(formatDecimal(15012300n)).toBe('150123.00')
    expect(formatDecimal(-105n)).toBe('-1.05')
    expect(formatRupiah(150000000n)).toBe('Rp1.500.000')
    expect(formatRupiah(150000050n)).toBe('Rp1.500.000,50')
    expect(formatRupiah(-99900n)).toBe('-Rp999')
  })

  it('takes the unique code from whole rupiah', () => {
    expect(uniqueCode(15012300n)).toBe(123)
    expect(uniqueCode(15012399n)).toBe(123)
    expect(uniqueCode(100000000n)).toBe(0)
  })

  it('round-trips every amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n - 1n }), (sen) => {
        expect(parseRupiah(formatDecimal(sen))).toBe(sen)
      }),
    )
  })
})
