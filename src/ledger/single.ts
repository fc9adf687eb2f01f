/**
 * One hand-made entry (a simulated transfer, a manual cash entry) that continues the account's running balance:
 * the balance at the entry's date ± its amount. Entries for one account run one after another in this process, so two
 * sent at once both continue the balance instead of reading the same previous one (which the ledger would report as a
 * gap). Each gets a fresh reference, so every call is a new mutation.
 */
import { type Account, getAccount } from '../accounts/accounts.ts'
import type { Db } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { randomBase62 } from '../shared/ids.ts'
import { formatDecimal, formatRupiah, MAX_SEN, parseRupiah, type Sen } from '../shared/money.ts'
import { parseWhen } from '../shared/time.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { ingest } from './ingest.ts'
import { latestBalance } from './queries.ts'

export interface SingleEntry {
  source: string
  /** Prefix of the fresh reference, e.g. `sim_` or `man_`. */
  referencePrefix: string
  at: Date
  amount: Sen
  type: 'CR' | 'DB'
  description: string
  note?: string
  raw: unknown
}

export interface SingleEntryResult {
  mutationId: string
  /** Rows in the batch (always 1). */
  total: number
  /** Rows stored (always 1: every call is a new transaction). */
  new: number
}

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

export function recordSingleEntry(db: Db, ws: Workspace, account: Account, e: SingleEntry): Promise<SingleEntryResult> {
  return serialised(account.id, async () => {
    // Back-dated entries continue from the balance at their date; the ledger re-checks the rows after them.
    const previous = await latestBalance(db, ws, account.id, e.at)
    const balance = e.type === 'CR' ? previous + e.amount : previous - e.amount
    // Said of the amount the caller sent: the balance is ours, and its row index would mean nothing to them.
    if (balance > MAX_SEN || balance < -MAX_SEN)
      throw AppError.validation(
        `this ${e.type === 'CR' ? 'credit' : 'debit'} would take the account's running balance past ${formatRupiah(e.type === 'CR' ? MAX_SEN : -MAX_SEN)}, the most Lunas stores`,
        'amount',
      )
    const result = await ingest(db, ws, {
      accountId: account.publicId,
      source: e.source,
      rows: [
        {
          date: e.at,
          amount: formatDecimal(e.amount),
          type: e.type,
          description: e.description,
          balance: formatDecimal(balance),
          reference: `${e.referencePrefix}${randomBase62(16)}`,
          ...(e.note === undefined ? {} : { note: e.note }),
          raw: e.raw,
        },
      ],
    })
    const stored = result.inserted[0]
    // A fresh random reference cannot already exist; if it somehow did, saying so beats returning nothing.
    if (!stored) throw new AppError('conflict', 'the entry was not stored (reference collision)')
    return { mutationId: stored.publicId, total: result.seen, new: result.inserted.length }
  })
}

/** A hand-made entry as callers give it (CLI, Moota's `mutation/store`, `POST /v1/mutations`), not yet checked. */
export interface HandEntryParams {
  /** Public id (`bank_id`) of the account. */
  accountId: string
  /** Rupiah, e.g. `150123` or `150123.00`. */
  amount: string
  type: 'CR' | 'DB'
  description?: string
  note?: string
  /** `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` (WIB) or ISO 8601; default now. */
  date?: string
}

export interface HandEntryKind {
  source: string
  referencePrefix: string
  /** Refuses an account this kind of entry is not for (e.g. a simulation on a live account). */
  checkAccount(account: Account): void
  /** The description when the caller gave none. */
  defaultDescription(type: 'CR' | 'DB', amount: Sen): string
}

/**
 * Checks a hand-made entry the same way whatever its kind (account, type, a positive amount, the date, the
 * description) and records it with `recordSingleEntry`; the raw row keeps exactly what the caller sent.
 */
export async function recordHandEntry(
  db: Db,
  ws: Workspace,
  p: HandEntryParams,
  kind: HandEntryKind,
): Promise<SingleEntryResult> {
  const account = await getAccount(db, ws, p.accountId)
  kind.checkAccount(account)
  if (p.type !== 'CR' && p.type !== 'DB') throw AppError.validation('type must be CR or DB', 'type')
  const amount = parseRupiah(p.amount, 'amount')
  if (amount === 0n) throw AppError.validation('amount must be more than 0', 'amount')
  const at = p.date === undefined ? new Date() : parseWhen(p.date, 'date')
  if (p.description !== undefined && typeof p.description !== 'string')
    throw AppError.validation('description must be text', 'description')
  const description = p.description?.trim() || kind.defaultDescription(p.type, amount)

  return recordSingleEntry(db, ws, account, {
    source: kind.source,
    referencePrefix: kind.referencePrefix,
    at,
    amount,
    type: p.type,
    description,
    note: p.note,
    raw: { amount: p.amount, type: p.type, description: p.description, note: p.note, date: p.date },
  })
}
