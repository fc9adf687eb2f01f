/**
 * Money is integer sen (1/100 rupiah) held in `bigint`, never a float.
 * Input from people and clients is rupiah text with up to two decimals: `150123`, `150123.5`, `150123.00`.
 */
import { AppError } from './errors.ts'

export type Sen = bigint

const RUPIAH = /^(\d{1,15})(?:\.(\d{1,2}))?$/

/** The largest amount (and balance, either sign) Lunas accepts: 15 rupiah digits and two of sen. */
export const MAX_SEN: Sen = 10n ** 17n - 1n

/** Parses rupiah text (or a safe integer number of rupiah) into sen; throws `validation` on anything else. */
export function parseRupiah(input: unknown, field = 'amount'): Sen {
  let text: string
  if (typeof input === 'number') {
    // A JSON number is accepted only when it is an exact integer or has at most two decimals as written.
    if (!Number.isFinite(input) || input < 0)
      throw AppError.validation(`${field} must be a non-negative amount`, field)
    text = String(input)
  } else if (typeof input === 'string') {
    text = input.trim()
  } else {
    throw AppError.validation(`${field} must be an amount in rupiah, e.g. 150123 or 150123.00`, field)
  }
  const m = RUPIAH.exec(text)
  if (!m)
    throw AppError.validation(
      `${field} must be a non-negative rupiah amount with at most two decimals, got "${text}"`,
      field,
    )
  const whole = BigInt(m[1]!)
  const frac = BigInt((m[2] ?? '').padEnd(2, '0'))
  return whole * 100n + frac
}

/** `15012300n` → `"150123.00"`: the decimal-string form Moota's REST API uses. */
export function formatDecimal(sen: Sen): string {
  const neg = sen < 0n
  const abs = neg ? -sen : sen
  const whole = abs / 100n
  const frac = (abs % 100n).toString().padStart(2, '0')
  return `${neg ? '-' : ''}${whole}.${frac}`
}

/** `150000000n` → `"Rp1.500.000"` (and `"Rp1.500.000,50"` when there are sen), as Indonesian users write it. */
export function formatRupiah(sen: Sen): string {
  const neg = sen < 0n
  const abs = neg ? -sen : sen
  // eslint-disable-next-line regexp/no-super-linear-move -- input is a bigint's digits, a few dozen at most
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  const frac = abs % 100n
  return `${neg ? '-' : ''}Rp${whole}${frac === 0n ? '' : `,${frac.toString().padStart(2, '0')}`}`
}

/** The "kode unik" of an amount: its whole rupiah modulo 1000. */
export function uniqueCode(sen: Sen): number {
  return Number((sen / 100n) % 1000n)
}
