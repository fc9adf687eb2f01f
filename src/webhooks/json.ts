/**
 * The JSON writer for webhook bodies. Moota's sender is PHP, so the body is what `json_encode()` with default flags
 * writes (reference/moota-api.md §6.1): compact, `/` as `\/`, every non-ASCII character as a lowercase `\uXXXX`
 * (astral ones as a surrogate pair). A receiver that hashes the raw body is unaffected either way; one that
 * re-encodes the parsed JSON before hashing only matches if we escape as PHP does.
 *
 * Money is written as a JSON number straight from integer sen, never through a float: whole rupiah as an integer
 * (`100123`), otherwise the shortest decimal (`3799460.89`, `0.5`), which is what PHP prints for those floats
 * (it drops a `.0` fraction without JSON_PRESERVE_ZERO_FRACTION and trailing zeros with serialize_precision -1). Pure.
 */
import type { Sen } from '../shared/money.ts'

/** A money value that is written as a JSON number of rupiah. */
export class RupiahNumber {
  constructor(readonly sen: Sen) {}
}

export type Json = null | boolean | number | string | RupiahNumber | readonly Json[] | { readonly [key: string]: Json }

/** `10012300n` → `100123`, `379946089n` → `3799460.89`, `50n` → `0.5`, `-150n` → `-1.5`. */
export function rupiahNumber(sen: Sen): string {
  const neg = sen < 0n
  const abs = neg ? -sen : sen
  const whole = (abs / 100n).toString()
  // eslint-disable-next-line regexp/no-super-linear-move -- input is exactly two digits
  const frac = (abs % 100n).toString().padStart(2, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
}

/** A JSON string literal escaped as PHP's json_encode does by default. */
export function phpString(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ch = s[i]!
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (ch === '/') out += '\\/'
    else if (c === 0x08) out += '\\b'
    else if (c === 0x0c) out += '\\f'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    // Control characters and everything past ASCII (DEL stays literal, as in PHP), one UTF-16 unit at a time,
    // which is exactly PHP's surrogate-pair form for astral characters.
    else if (c < 0x20 || c > 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}

/** Compact JSON, PHP-escaped, keys in insertion order. Throws on values JSON cannot hold exactly. */
export function encodeJson(value: Json): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string') return phpString(value)
  if (typeof value === 'number') {
    // Only counters and flags are plain numbers here; money goes through RupiahNumber.
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`)
    return String(value)
  }
  if (value instanceof RupiahNumber) return rupiahNumber(value.sen)
  if (Array.isArray(value)) return `[${value.map((v: Json) => encodeJson(v)).join(',')}]`
  const entries = Object.entries(value as { readonly [key: string]: Json })
  return `{${entries
    .map(([k, v]) => {
      if (v === undefined) throw new TypeError(`undefined value at key "${k}"`)
      return `${phpString(k)}:${encodeJson(v)}`
    })
    .join(',')}}`
}
