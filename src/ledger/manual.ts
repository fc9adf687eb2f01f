/**
 * Manual entries on cash accounts (`bank_type` `cash`): a shop records a cash sale or expense by hand, through Moota's
 * `POST /api/v2/mutation/store/{bank_id}`. Each call is one new mutation with its own `man_` reference, continuing the
 * account's running balance, and enters the ledger through `ingest` like every other source.
 */
import { getAccount } from '../accounts/accounts.ts'
import type { Db } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { parseRupiah } from '../shared/money.ts'
import { parseWhen } from '../shared/time.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { recordSingleEntry, type SingleEntryResult } from './single.ts'

export const MANUAL_SOURCE = 'manual'

export interface ManualEntryParams {
  /** Public id (`bank_id`) of a cash account. */
  accountId: string
  /** Rupiah, e.g. `150123` or `150123.00`. */
  amount: string
  type: 'CR' | 'DB'
  description?: string
  note?: string
  /** `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` (WIB) or ISO 8601; default now. */
  date?: string
}

export type ManualEntryResult = SingleEntryResult

const defaultDescription = (type: 'CR' | 'DB'): string => (type === 'CR' ? 'PEMASUKAN TUNAI' : 'PENGELUARAN TUNAI')

/** Records one manual entry on a cash account. */
export async function recordManualEntry(db: Db, ws: Workspace, p: ManualEntryParams): Promise<ManualEntryResult> {
  const account = await getAccount(db, ws, p.accountId)
  if (account.kind !== 'cash')
    throw AppError.validation('manual entries can be recorded only on cash accounts (bank_type cash)', 'bank_id')
  if (p.type !== 'CR' && p.type !== 'DB') throw AppError.validation('type must be CR or DB', 'type')
  const amount = parseRupiah(p.amount, 'amount')
  if (amount === 0n) throw AppError.validation('amount must be more than 0', 'amount')
  const at = p.date === undefined ? new Date() : parseWhen(p.date, 'date')
  if (p.description !== undefined && typeof p.description !== 'string')
    throw AppError.validation('description must be text', 'description')
  const description = p.description?.trim() || defaultDescription(p.type)

  return recordSingleEntry(db, ws, account, {
    source: MANUAL_SOURCE,
    referencePrefix: 'man_',
    at,
    amount,
    type: p.type,
    description,
    note: p.note,
    raw: { amount: p.amount, type: p.type, description: p.description, note: p.note, date: p.date },
  })
}
