import { describe, expect, it } from 'vitest'
import { AppError } from './errors.ts'
import { formatWib, parseWhen, wibDate } from './time.ts'

describe('time', () => {
  it('reads a bare day as the start of that WIB day', () => {
    expect(parseWhen('2026-11-20').toISOString()).toBe('2026-11-19T17:00:00.000Z')
  })

  it('reads Moota wall time as WIB and ISO with its zone', () => {
    expect(parseWhen('2026-11-20 06:30:00').toISOString()).toBe('2026-11-19T23:30:00.000Z')
    expect(parseWhen('2026-11-20T06:30:00+07:00').toISOString()).toBe('2026-11-19T23:30:00.000Z')
    expect(parseWhen('2026-11-19T23:30:00Z').toISOString()).toBe('2026-11-19T23:30:00.000Z')
  })

  it.each([
    '2026-02-29',
    '2026-13-01',
    '2026-11-31',
    '2026-11-20 25:00:00',
    '2026-11-20T10:61:00Z',
    '20-11-2026',
    '',
  ])('rejects %s', (text) => {
    expect(() => parseWhen(text)).toThrow(AppError)
  })

  it('accepts a real leap day', () => {
    expect(wibDate(parseWhen('2028-02-29'))).toBe('2028-02-29')
  })

  it('puts late-evening UTC instants on the next WIB day and formats in WIB', () => {
    const at = new Date('2026-11-20T18:00:00Z')
    expect(wibDate(at)).toBe('2026-11-21')
    expect(formatWib(at)).toBe('2026-11-21 01:00:00')
  })
})
