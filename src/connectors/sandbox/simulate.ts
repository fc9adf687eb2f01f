/**
 * The sandbox transaction simulator (`npx lunas simulate`, Moota's `POST /api/v2/mutation/store/{bank_id}`): each
 * call is one new transaction with its own simulator reference, continuing the account's running balance.
 */
import type { Db } from '../../db/db.ts'
import { type HandEntryParams, recordHandEntry, type SingleEntryResult } from '../../ledger/single.ts'
import { AppError } from '../../shared/errors.ts'
import { formatDecimal } from '../../shared/money.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'

export const SIMULATOR_SOURCE = 'sandbox'

/** `accountId` names a sandbox account. */
export type SimulateParams = HandEntryParams

export type SimulateResult = SingleEntryResult

/** Records one simulated transaction on a sandbox account. */
export function simulateTransaction(db: Db, ws: Workspace, p: SimulateParams): Promise<SimulateResult> {
  return recordHandEntry(db, ws, p, {
    source: SIMULATOR_SOURCE,
    referencePrefix: 'sim_',
    checkAccount: (account) => {
      if (!account.sandbox)
        throw AppError.validation(
          'transactions can be simulated only on sandbox accounts (bank_type sandbox or sandboxVA)',
          'bank_id',
        )
    },
    defaultDescription: (type, amount) =>
      type === 'CR'
        ? `SIMULASI TRANSFER MASUK ${formatDecimal(amount)} PELANGGAN SANDBOX`
        : `SIMULASI TRANSFER KELUAR ${formatDecimal(amount)} PEMBAYARAN SANDBOX`,
  })
}
