/**
 * The sandbox transaction simulator (`npx lunas simulate`, Moota's `POST /api/v2/mutation/store/{bank_id}`): each
 * call is one new transaction with its own simulator reference, continuing the account's running balance.
 */
import { getAccount } from '../../accounts/accounts.ts'
import type { Db } from '../../db/db.ts'
import { recordSingleEntry, type SingleEntryResult } from '../../ledger/single.ts'
import { AppError } from '../../shared/errors.ts'
import { formatDecimal, parseRupiah } from '../../shared/money.ts'
import { parseWhen } from '../../shared/time.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'

export const SIMULATOR_SOURCE = 'sandbox'

export interface SimulateParams {
  /** Public id (`bank_id`) of a sandbox account. */
  accountId: string
  /** Rupiah, e.g. `150123` or `150123.00`. */
  amount: string
  type: 'CR' | 'DB'
  description?: string
  note?: string
  /** `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` (WIB) or ISO 8601; default now. */
  date?: string
}

export type SimulateResult = SingleEntryResult

const defaultDescription = (type: 'CR' | 'DB', amount: bigint): string =>
  type === 'CR'
    ? `SIMULASI TRANSFER MASUK ${formatDecimal(amount)} PELANGGAN SANDBOX`
    : `SIMULASI TRANSFER KELUAR ${formatDecimal(amount)} PEMBAYARAN SANDBOX`

/** Records one simulated transaction on a sandbox account. */
export async function simulateTransaction(db: Db, ws: Workspace, p: SimulateParams): Promise<SimulateResult> {
  const account = await getAccount(db, ws, p.accountId)
  if (!account.sandbox)
    throw AppError.validation(
      'transactions can be simulated only on sandbox accounts (bank_type sandbox or sandboxVA)',
      'bank_id',
    )
  if (p.type !== 'CR' && p.type !== 'DB') throw AppError.validation('type must be CR or DB', 'type')
  const amount = parseRupiah(p.amount, 'amount')
  if (amount === 0n) throw AppError.validation('amount must be more than 0', 'amount')
  const at = p.date === undefined ? new Date() : parseWhen(p.date, 'date')
  if (p.description !== undefined && typeof p.description !== 'string')
    throw AppError.validation('description must be text', 'description')
  const description = p.description?.trim() || defaultDescription(p.type, amount)

  return recordSingleEntry(db, ws, account, {
    source: SIMULATOR_SOURCE,
    referencePrefix: 'sim_',
    at,
    amount,
    type: p.type,
    description,
    note: p.note,
    raw: { amount: p.amount, type: p.type, description: p.description, note: p.note, date: p.date },
  })
}
