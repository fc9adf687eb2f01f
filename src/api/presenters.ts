/**
 * The JSON clients see on /v1. Money is an exact decimal string in rupiah (`"150123.00"`, never a JSON number, so no
 * client parses it into a float) and every object that carries money also carries `currency` (ISO 4217, always
 * `"IDR"` today): one `currency` per object covers all its amounts (`amount`, `balance`, `expected_balance` …), so a
 * later multi-currency ledger adds values, not shapes. Instants are ISO UTC, and Lunas' own objects also carry
 * `date_wib` in Moota's `Y-m-d H:i:s` form. Webhook payloads will reuse these.
 */
import type { AccountWithSync } from '../accounts/accounts.ts'
import { formatDecimal } from '../shared/money.ts'
import { formatWib } from '../shared/time.ts'
import type { BalanceGap } from '../ledger/gaps.ts'
import type { ListedMutation, MutationPage } from '../ledger/list.ts'
import type { SyncRun } from '../sync/runs.ts'
import type { Tag, TagWithUsage } from '../tags/tags.ts'

/** The ledger's only currency: amounts are sen of rupiah (ADR 2). */
export const CURRENCY = 'IDR'

/** A tag as /v1 shows it everywhere (on mutations and in the tag list): an object, so it can be renamed. */
export const presentTag = (t: Tag) => ({ id: t.publicId, name: t.name })

export const presentTagWithUsage = (t: TagWithUsage) => ({ ...presentTag(t), usage: t.usage })

export function presentMutation(m: ListedMutation, tags: readonly Tag[]) {
  return {
    id: m.publicId,
    account_id: m.accountPublicId,
    bank_type: m.bankType,
    type: m.type,
    amount: formatDecimal(m.amount),
    balance: m.balance === null ? null : formatDecimal(m.balance),
    currency: CURRENCY,
    description: m.description,
    note: m.note,
    date: m.occurredAt.toISOString(),
    date_wib: formatWib(m.occurredAt),
    sandbox: m.sandbox,
    source: m.source,
    reference: m.reference,
    tags: tags.map(presentTag),
    created_at: m.createdAt.toISOString(),
  }
}

/** A page of mutations; `tags` holds each row's tags by mutation public id (tags.ts `tagsOfMutations`). */
export function presentMutationPage(page: MutationPage, tags: ReadonlyMap<string, readonly Tag[]>) {
  return { data: page.rows.map((m) => presentMutation(m, tags.get(m.publicId) ?? [])), next_cursor: page.nextCursor }
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
    currency: CURRENCY,
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

/** A sync run without its internal ids; `worker` names the process that ran it (`host:pid`), for operators. */
export function presentSyncRun(r: SyncRun) {
  return {
    id: r.publicId,
    trigger: r.trigger,
    status: r.status,
    started_at: r.startedAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
    rows_seen: r.rowsSeen,
    rows_new: r.rowsNew,
    error: r.error,
    worker: r.worker,
  }
}

/** A break in the running balance; `difference` = reported − expected (negative: money missing from the ledger). */
export function presentBalanceGap(g: BalanceGap) {
  return {
    account_id: g.accountPublicId,
    mutation_id: g.mutationPublicId,
    previous_mutation_id: g.previousPublicId,
    expected_balance: formatDecimal(g.expectedBalance),
    reported_balance: formatDecimal(g.reportedBalance),
    difference: formatDecimal(g.reportedBalance - g.expectedBalance),
    currency: CURRENCY,
    date: g.occurredAt.toISOString(),
    date_wib: formatWib(g.occurredAt),
    detected_at: g.detectedAt.toISOString(),
    sandbox: g.sandbox,
  }
}

/** Moota's answer to `POST /mutation/store/{bank_id}`, plus the new mutation's id. */
export function presentStoredMutation(r: { mutationId: string; total: number; new: number }) {
  return { error: false, mutation: { total: r.total, new: r.new, mutation_id: r.mutationId } }
}
