/**
 * Manual entries on cash accounts (`bank_type` `cash`): a shop records a cash sale or expense by hand, through Moota's
 * `POST /api/v2/mutation/store/{bank_id}`. Each call is one new mutation with its own `man_` reference, continuing the
 * account's running balance, and enters the ledger through `ingest` like every other source.
 */
import type { Db } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { type HandEntryParams, recordHandEntry, type SingleEntryResult } from './single.ts'

export const MANUAL_SOURCE = 'manual'

/** `accountId` names a cash account. */
export type ManualEntryParams = HandEntryParams

export type ManualEntryResult = SingleEntryResult

/** Records one manual entry on a cash account. */
export function recordManualEntry(db: Db, ws: Workspace, p: ManualEntryParams): Promise<ManualEntryResult> {
  return recordHandEntry(db, ws, p, {
    source: MANUAL_SOURCE,
    referencePrefix: 'man_',
    checkAccount: (account) => {
      if (account.kind !== 'cash')
        throw AppError.validation('manual entries can be recorded only on cash accounts (bank_type cash)', 'bank_id')
    },
    defaultDescription: (type) => (type === 'CR' ? 'PEMASUKAN TUNAI' : 'PENGELUARAN TUNAI'),
  })
}
