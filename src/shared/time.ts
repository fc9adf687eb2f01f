/**
 * Times are stored in UTC and shown in WIB (Asia/Jakarta, UTC+7, no daylight saving — so plain arithmetic is exact).
 */
import { AppError } from './errors.ts'

export const WIB_OFFSET_MS = 7 * 60 * 60 * 1000

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const WIB_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/
const WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/

function checkParts(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s &&
    y >= 1970 &&
    y <= 9999
  )
}

/** Year … second of a date-time match, checked to exist (no 30 February, no 24:00). */
function timeParts(m: RegExpExecArray, text: string, field: string): [number, number, number, number, number, number] {
  const p = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number]
  if (!checkParts(...p)) throw AppError.validation(`${field} "${text}" is not a real date and time`, field)
  return p
}

/**
 * Parses a transaction date as sources give it:
 * `2026-11-22` (a WIB day, taken as its start), `2026-11-22 14:05:00` (WIB wall time, Moota's form),
 * or ISO 8601 with a zone. A date that does not exist (`2026-02-30`) is a validation error.
 */
export function parseWhen(input: unknown, field = 'date'): Date {
  if (input instanceof Date && !Number.isNaN(input.getTime())) return input
  if (typeof input !== 'string') throw AppError.validation(`${field} must be a date string`, field)
  const text = input.trim()
  let m = DATE_ONLY.exec(text)
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (!checkParts(y, mo, d)) throw AppError.validation(`${field} "${text}" is not a real date`, field)
    return new Date(Date.UTC(y, mo - 1, d) - WIB_OFFSET_MS)
  }
  m = WIB_LOCAL.exec(text)
  if (m) {
    const [y, mo, d, h, mi, s] = timeParts(m, text, field)
    const ms = Number((m[7] ?? '0').padEnd(3, '0'))
    return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - WIB_OFFSET_MS)
  }
  m = WITH_ZONE.exec(text)
  if (m) {
    timeParts(m, text, field)
    return new Date(text)
  }
  throw AppError.validation(
    `${field} "${text}" is not a date (use YYYY-MM-DD, "YYYY-MM-DD HH:mm:ss" in WIB, or ISO 8601)`,
    field,
  )
}

/** The WIB calendar day of an instant, as `YYYY-MM-DD`. */
export function wibDate(at: Date): string {
  return new Date(at.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 10)
}

/** `"Y-m-d H:i:s"` in WIB: Moota's date form. */
export function formatWib(at: Date): string {
  return new Date(at.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/** The UTC instant at which a WIB day (`YYYY-MM-DD`) starts. */
export function startOfWibDay(day: string): Date {
  return parseWhen(day)
}

/** Laravel's JSON timestamp form, `2021-09-24T03:46:57.000000Z` (microseconds, UTC), which Moota uses for some fields. */
export function formatLaravel(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}
