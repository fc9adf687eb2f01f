/**
 * The sandbox transaction simulator (`npx lunas simulate`, Moota's `POST /api/v2/mutation/store/{bank_id}`): each
 * call is one new transaction with its own simulator reference, continuing the account's running balance.
 */
import { getAccount } from '../../accounts/accounts.ts'
import type { Db } from '../../db/db.ts'
import { ingest } from '../../ledger/ingest.ts'
import { AppError } from '../../shared/errors.ts'
import { randomBase62 } from '../../shared/ids.ts'
import { formatDecimal, parseRupiah } from '../../shared/money.ts'
import { parseWhen } from '../../shared/time.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { latestBalance } from './queries.ts'

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

export interface SimulateResult {
  mutationId: string
  /** Rows in the batch (always 1). */
  total: number
  /** Rows stored (always 1: every call is a new transaction). */
  new: number
}

const defaultDescription = (type: 'CR' | 'DB', amount: bigint): string =>
  type === 'CR'
    ? `SIMULASI TRANSFER MASUK ${formatDecimal(amount)} PELANGGAN SANDBOX`
    : `SIMULASI TRANSFER KELUAR ${formatDecimal(amount)} PEMBAYARAN SANDBOX`

// Calls for one account run one after another in this process, so two simulations sent at once both continue
// the balance instead of reading the same previous one (which the ledger would rightly report as a gap).
const queues = new Map<string, Promise<unknown>>()

function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve()
  const next = previous.then(fn, fn)
  const settled = next.catch(() => undefined)
  queues.set(key, settled)
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key)
  })
  return next
}

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

  return serialised(account.id, async () => {
    // The balance just before this transaction: back-dated simulations continue from the balance at their date.
    const previous = await latestBalance(db, ws, account.id, at)
    const balance = p.type === 'CR' ? previous + amount : previous - amount
    const result = await ingest(db, ws, {
      accountId: account.publicId,
      source: SIMULATOR_SOURCE,
      rows: [
        {
          date: at,
          amount: formatDecimal(amount),
          type: p.type,
          description,
          balance: formatDecimal(balance),
          reference: `sim_${randomBase62(16)}`,
          ...(p.note === undefined ? {} : { note: p.note }),
          raw: { amount: p.amount, type: p.type, description: p.description, note: p.note, date: p.date },
        },
      ],
    })
    const stored = result.inserted[0]
    // A fresh random reference cannot already exist; if it somehow did, saying so beats returning nothing.
    if (!stored)
      throw new AppError('conflict', 'the simulated transaction was not stored (reference collision)')
    return { mutationId: stored.publicId, total: result.seen, new: result.inserted.length }
  })
}
