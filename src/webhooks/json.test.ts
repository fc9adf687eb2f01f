import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatDecimal, parseRupiah } from '../shared/money.ts'
import { encodeJson, phpString, RupiahNumber, rupiahNumber } from './json.ts'

describe('rupiahNumber', () => {
  it("writes Moota's webhook numbers from sen", () => {
    expect(rupiahNumber(10012300n)).toBe('100123') // vector 1's amount
    expect(rupiahNumber(379946089n)).toBe('3799460.89') // MockWebhookResponse.json's balance
    expect(rupiahNumber(0n)).toBe('0')
    expect(rupiahNumber(50n)).toBe('0.5') // PHP prints the float 0.5 as 0.5, not 0.50
    expect(rupiahNumber(1210n)).toBe('12.1')
    expect(rupiahNumber(1201n)).toBe('12.01')
    expect(rupiahNumber(-150n)).toBe('-1.5')
    expect(rupiahNumber(99_999_999_999_999_999n)).toBe('999999999999999.99') // exact where a double is not
  })

  it('round-trips through the rupiah parser for every amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 99_999_999_999_999_999n }), (sen) => {
        const text = rupiahNumber(sen)
        expect(parseRupiah(text)).toBe(sen)
        expect(text).toMatch(/^(0|[1-9]\d*)(\.\d?[1-9])?$/)
        expect(formatDecimal(sen).startsWith(text.split('.')[0]!)).toBe(true)
      }),
    )
  })
})

describe('phpString', () => {
  it("escapes as PHP's json_encode does by default", () => {
    expect(phpString('TRSF 11/10')).toBe('"TRSF 11\\/10"')
    expect(phpString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(phpString('Café')).toBe('"Caf\\u00e9"')
    expect(phpString('€')).toBe('"\\u20ac"')
    expect(phpString('😀')).toBe('"\\ud83d\\ude00"')
    expect(phpString('\b\f\n\r\t')).toBe('"\\b\\f\\n\\r\\t"')
    expect(phpString('\u0001\u001f')).toBe('"\\u0001\\u001f"')
    // Not escaped without JSON_HEX_* flags; DEL stays literal too.
    expect(phpString(`<a href='x'>&</a>\u007f`)).toBe(`"<a href='x'>&<\\/a>\u007f"`)
  })

  it('is ASCII and parses back to the same string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const out = phpString(s)
        expect(out).toMatch(/^[\x20-\x7f]*$/)
        expect(JSON.parse(out)).toBe(s)
      }),
    )
  })
})

describe('encodeJson', () => {
  it('is compact, keeps key order and writes money as numbers', () => {
    const value = { b: 1, a: [true, false, null], m: new RupiahNumber(50n), s: 'x/y', o: {} }
    expect(encodeJson(value)).toBe('{"b":1,"a":[true,false,null],"m":0.5,"s":"x\\/y","o":{}}')
    expect(encodeJson([])).toBe('[]')
  })

  it('matches JSON.stringify where PHP and JS agree', () => {
    const payload = { n: 'buy other food', d: '2021-10-05 10:25:16', t: [], i: 15, z: null, f: true }
    expect(encodeJson(payload)).toBe(JSON.stringify(payload))
  })

  it('refuses floats and undefined instead of writing something inexact', () => {
    expect(() => encodeJson({ amount: 0.5 })).toThrow(/safe integer/)
    expect(() => encodeJson(2 ** 53)).toThrow(/safe integer/)
    expect(() => encodeJson({ x: undefined } as never)).toThrow(/undefined value at key "x"/)
  })
})
