/**
 * The JSON clients see. Money is a decimal string (`"150123.00"`, Moota's REST form), instants are ISO UTC, and
 * Lunas' own objects also carry `date_wib` in Moota's `Y-m-d H:i:s` form. Webhook payloads will reuse these.
 */
import type { AccountWithSync } from '../accounts/accounts.ts'
import { formatDecimal } from '../shared/money.ts'
import { formatWib } from '../shared/time.ts'
import type { ListedMutation, MutationPage } from '../ledger/list.ts'

export function presentMutation(m: ListedMutation) {
  return {
    id: m.publicId,
    account_id: m.accountPublicId,
    bank_type: m.bankType,
    type: m.type,
    amount: formatDecimal(m.amount),
    balance: m.balance === null ? null : formatDecimal(m.balance),
    description: m.description,
    note: m.note,
    date: m.occurredAt.toISOString(),
    date_wib: formatWib(m.occurredAt),
    sandbox: m.sandbox,
    source: m.source,
    reference: m.reference,
    created_at: m.createdAt.toISOString(),
  }
}

export function presentMutationPage(page: MutationPage) {
  return { data: page.rows.map(presentMutation), next_cursor: page.nextCursor }
}

/** An account without its settings or credentials: nothing a token holder could use to reach the bank. */
export function presentAccount(a: AccountWithSync) {
  return {
    id: a.publicId,
    kind: a.kind,
    bank_type: a.bankType,
    account_number: a.accountNumber,
    holder_name: a.holderName,
    label: a.label,
    refresh_minutes: a.refreshMinutes,
    active: a.active,
    sandbox: a.sandbox,
    balance: a.balance === null ? null : formatDecimal(BigInt(a.balance)),
    next_sync_at: a.nextSyncAt?.toISOString() ?? null,
    created_at: a.createdAt.toISOString(),
    last_sync: a.lastSync && {
      status: a.lastSync.status,
      started_at: a.lastSync.startedAt.toISOString(),
      finished_at: a.lastSync.finishedAt?.toISOString() ?? null,
      rows_new: a.lastSync.rowsNew,
      error: a.lastSync.error,
    },
  }
}

/** Moota's answer to `POST /mutation/store/{bank_id}`, plus the new mutation's id. */
export function presentStoredMutation(r: { mutationId: string; total: number; new: number }) {
  return { error: false, mutation: { total: r.total, new: r.new, mutation_id: r.mutationId } }
}
