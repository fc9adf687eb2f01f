/**
 * Route schemas are zod schemas: this compiler lets Fastify run them (instead of Ajv), and the type provider gives
 * handlers the parsed, typed values. A failure becomes `InvalidRequest`, which errors.ts shapes per surface.
 * Field parsers reuse the domain's own parsers (money, time), so the API accepts exactly what the ledger does.
 */
import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify'
import { z } from 'zod'
import type { SourceRow } from '../ledger/types.ts'
import { AppError, isAppError } from '../shared/errors.ts'
import { parseRupiah, type Sen } from '../shared/money.ts'
import { parseWhen } from '../shared/time.ts'
import { type FieldIssue, InvalidRequest } from './errors.ts'

export type Direction = SourceRow['type']

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === ''

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

function toFieldIssue(issue: z.core.$ZodIssue, data: unknown, httpPart: string | undefined): FieldIssue {
  const field = issue.path.length ? issue.path.map(String).join('.') : (httpPart ?? 'request')
  const missing = issue.path.length > 0 && isEmpty(valueAt(data, issue.path))
  return { field, missing, message: missing ? `${field} is required` : issue.message }
}

/** Fastify validator compiler for zod schemas. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data: unknown) => {
    const result = schema.safeParse(data)
    if (result.success) return { value: result.data }
    return { error: new InvalidRequest(result.error.issues.map((i) => toFieldIssue(i, data, httpPart))) }
  }

/**
 * A field parsed by a domain parser that throws `AppError` (e.g. parseRupiah): its message becomes the field's
 * message, so clients read the same words the CLI prints.
 */
export function parsedBy<T>(parse: (value: unknown) => T) {
  return z.unknown().transform((value, ctx): T => {
    try {
      return parse(value)
    } catch (err) {
      if (!isAppError(err)) throw err
      ctx.addIssue({ code: 'custom', message: err.message })
      return z.NEVER
    }
  })
}

/** Like `parsedBy`, but absent, null and empty values (Moota clients send all three) are `undefined`. */
export function optionalParsedBy<T>(parse: (value: unknown) => T) {
  // zod reports an absent key as an issue unless the schema is marked optional, whatever the transform would say.
  return parsedBy((value) => (isEmpty(value) ? undefined : parse(value))).optional()
}

/**
 * A Moota list's `page` or `per_page`, read with Laravel's leniency: a value that is not a positive integer (empty,
 * `0`, text) is the default, and one above `max` is `max`. Shared by every paginated Moota list, so clients that pass
 * their caller's numbers through unchecked get the same answer from each.
 */
export const positiveInt = (fallback: number, max: number) =>
  optionalParsedBy((v): number => {
    const n = typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : NaN
    return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback
  }).transform((v) => v ?? fallback)

/** Moota's `CR`/`DB`; some clients (otnansirk/laravel-moota) send `credit`/`debit`, in any case. */
export function parseDirection(value: unknown, field = 'type'): Direction {
  const t = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (t === 'cr' || t === 'credit') return 'CR'
  if (t === 'db' || t === 'debit') return 'DB'
  throw AppError.validation(`${field} must be CR or DB (credit or debit)`, field)
}

/** Rupiah with at most two decimals (`150123`, `"150123.00"`) as sen; never through a float. */
export const rupiah = (field: string) => parsedBy((v): Sen => parseRupiah(v, field))

/** A WIB calendar day, `YYYY-MM-DD`, that exists. */
export function parseWibDay(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim()))
    throw AppError.validation(`${field} must be a day as YYYY-MM-DD (WIB)`, field)
  parseWhen(value.trim(), field)
  return value.trim()
}

/** A date as sources give it (see parseWhen); kept as text for the domain function, but checked here. */
export function parseDateText(value: unknown, field: string): string {
  parseWhen(value, field)
  return String(value).trim()
}

/** Optional free text: null and absent are the same; longer than `max` is refused rather than cut. */
export const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? undefined)

/** Query-string flag: `true`/`false`/`1`/`0`/`yes`/`no`; absent is false. */
export const flag = optionalParsedBy((value): boolean => {
  const t = String(value).trim().toLowerCase()
  if (['true', '1', 'yes'].includes(t)) return true
  if (['false', '0', 'no'].includes(t)) return false
  throw AppError.validation('must be true or false')
}).transform((v) => v ?? false)

/** A body that may arrive as nothing, `null` or PHP's empty-array `[]` (Moota SDK v3): all mean `{}`. */
export function body<S extends z.core.$ZodShape>(shape: S) {
  return z.preprocess(
    (v) => (v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? {} : v),
    z.object(shape),
  )
}
