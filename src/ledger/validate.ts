/**
 * Validation of a whole batch before anything is stored: the first bad row stops the batch with an error that
 * names the row and the field (`rows[3].amount`). Pure.
 */
import { AppError } from '../shared/errors.ts'
import { parseRupiah } from '../shared/money.ts'
import { parseWhen, wibDate } from '../shared/time.ts'
import type { SourceRow } from './types.ts'

export type Direction = 'CR' | 'DB'

export interface ValidRow {
  occurredAt: Date
  wibDate: string
  direction: Direction
  /** sen, non-negative */
  amount: bigint
  description: string
  /** sen; negative allowed (overdraft) */
  balance: bigint | null
  reference: string | null
  note: string
  raw: unknown
}

export const MAX_BATCH = 50_000
const MAX_DESCRIPTION = 1000

function parseBalance(input: unknown, field: string): bigint | null {
  if (input === undefined || input === null || input === '') return null
  const text = typeof input === 'number' ? String(input) : input
  if (typeof text === 'string' && text.trim().startsWith('-'))
    return -parseRupiah(text.trim().slice(1), field)
  return parseRupiah(text, field)
}

function validateRow(row: SourceRow, i: number): ValidRow {
  const at = (field: string) => `rows[${i}].${field}`
  if (row === null || typeof row !== 'object')
    throw AppError.validation(`rows[${i}] is not an object`, `rows[${i}]`)
  const rename = (err: unknown, field: string): never => {
    if (err instanceof AppError) throw AppError.validation(`${at(field)}: ${err.message}`, at(field))
    throw err
  }
  let occurredAt: Date
  try {
    occurredAt = parseWhen(row.date, 'date')
  } catch (err) {
    return rename(err, 'date')
  }
  let amount: bigint
  try {
    amount = parseRupiah(row.amount, 'amount')
  } catch (err) {
    return rename(err, 'amount')
  }
  let balance: bigint | null
  try {
    balance = parseBalance(row.balance, 'balance')
  } catch (err) {
    return rename(err, 'balance')
  }
  if (row.type !== 'CR' && row.type !== 'DB')
    throw AppError.validation(`${at('type')}: must be CR or DB, got ${JSON.stringify(row.type)}`, at('type'))
  if (typeof row.description !== 'string')
    throw AppError.validation(`${at('description')}: must be text`, at('description'))
  // Banks pad and wrap narratives; collapse whitespace so a re-read with other padding is the same row.
  const description = row.description.replace(/\s+/g, ' ').trim()
  if (description.length > MAX_DESCRIPTION)
    throw AppError.validation(
      `${at('description')}: longer than ${MAX_DESCRIPTION} characters`,
      at('description'),
    )
  const ref = row.reference
  if (ref !== undefined && ref !== null && (typeof ref !== 'string' || !ref.trim() || ref.length > 200))
    throw AppError.validation(`${at('reference')}: must be 1–200 characters of text`, at('reference'))
  if (row.note !== undefined && typeof row.note !== 'string')
    throw AppError.validation(`${at('note')}: must be text`, at('note'))
  return {
    occurredAt,
    wibDate: wibDate(occurredAt),
    direction: row.type,
    amount,
    description,
    balance,
    reference: typeof ref === 'string' ? ref.trim() : null,
    note: row.note ?? '',
    raw: row.raw === undefined ? row : row.raw,
  }
}

export function checkBatchShape(rows: readonly SourceRow[]): void {
  if (!Array.isArray(rows)) throw AppError.validation('rows must be a list', 'rows')
  if (rows.length > MAX_BATCH) throw AppError.validation(`a batch holds at most ${MAX_BATCH} rows`, 'rows')
}

/** Validates rows[from..to) of a batch (errors name the row by its index in the whole batch). */
export function validateRows(rows: readonly SourceRow[], from = 0, to = rows.length): ValidRow[] {
  const out: ValidRow[] = []
  for (let i = from; i < Math.min(to, rows.length); i++) out.push(validateRow(rows[i]!, i))
  return out
}

export function validateBatch(rows: readonly SourceRow[]): ValidRow[] {
  checkBatchShape(rows)
  return validateRows(rows)
}
