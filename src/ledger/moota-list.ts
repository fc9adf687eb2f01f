/**
 * The read side behind Moota's `GET /api/v2/mutation` (and its summary, note and lookup): an offset-paginated list
 * with an exact total, because Moota's clients read `last_page` and `total` (reference/moota-api.md §3.1). Lunas'
 * own /v1 list (list.ts) stays keyset-paginated. Every statement filters by workspace; sandbox mutations appear only
 * when the filter names a sandbox account. Totals and summary sums come from the per-day rollup (day-counts.ts) when
 * the filter is only account, type and whole days, and are counted otherwise; never capped or estimated.
 */
import { type Account, toAccount } from '../accounts/accounts.ts'
import type { Sql } from '../db/db.ts'
import type { Sen } from '../shared/money.ts'
import { namedRows, unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { type DayCountFilter, type DayCountTotals, dayCountTotals } from './day-counts.ts'
import { dayEnd, dayStart, likePattern, scopedWhere } from './where.ts'

/** An account as Moota's BankAccount shows it: the account plus its latest reported balance and last read. */
export interface MootaAccount extends Account {
  /** Latest reported balance (sen, as text) or null when no mutation reported one. */
  balance: string | null
  /** When the last finished sync run finished, or null. */
  lastUpdate: Date | null
}

export interface MootaMutation {
  publicId: string
  type: 'CR' | 'DB'
  amount: Sen
  balance: Sen | null
  description: string
  note: string
  occurredAt: Date
  createdAt: Date
  updatedAt: Date
  account: MootaAccount
  taggings: { name: string; tagId: string }[]
}

export interface MootaMutationFilter {
  /** The account (already resolved in the workspace, see findMootaAccount); its sandbox rows are then included. */
  account?: { id: string }
  type?: 'CR' | 'DB'
  amount?: Sen
  /** Case-insensitive substring of the description. */
  description?: string
  /** Case-insensitive substring of the note. */
  note?: string
  /** First WIB day included, `YYYY-MM-DD`. */
  from?: string
  /** Last WIB day included, `YYYY-MM-DD`. */
  to?: string
  /** Tag names (any of them, case-insensitive). */
  tags?: readonly string[]
}

export interface MootaMutationPage {
  total: number
  rows: MootaMutation[]
}

/**
 * The WHERE clause for a filter, over `mutations m` alone (accounts are joined to the page's rows only, so counting
 * runs no join); `$1` is the workspace id.
 */
function whereOf(ws: Workspace, f: MootaMutationFilter): { where: string; params: unknown[] } {
  const { params, where, add } = scopedWhere(ws.id, 'anti')
  if (f.account) add((p) => `m.account_id = ${p}`, f.account.id)
  else where.push(unnamedRows(ws, 'm.sandbox'))
  if (f.type) add((p) => `m.direction = ${p}`, f.type)
  if (f.amount !== undefined) add((p) => `m.amount = ${p}`, f.amount.toString())
  if (f.description) add((p) => `m.description ilike ${p}`, likePattern(f.description))
  if (f.note) add((p) => `m.note ilike ${p}`, likePattern(f.note))
  if (f.from) add((p) => `m.occurred_at >= ${p}`, dayStart(f.from))
  if (f.to) add((p) => `m.occurred_at < ${p}`, dayEnd(f.to))
  if (f.tags?.length)
    add(
      (p) => `exists (select 1 from mutation_tags mt join tags t on t.id = mt.tag_id
                      where mt.mutation_id = m.id and t.workspace_id = $1 and lower(t.name) = any(${p}::text[]))`,
      f.tags.map((t) => t.toLowerCase()),
    )
  return { where: where.join(' and '), params }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/**
 * The filter as the per-day rollup can answer it (day-counts.ts), or null when it names anything beyond account, type
 * and whole WIB days. Each test mirrors whereOf's, so a condition whereOf leaves out (an empty description) is left
 * out here too.
 */
function rollupFilterOf(f: MootaMutationFilter): DayCountFilter | null {
  if (f.amount !== undefined || f.description || f.note || f.tags?.length) return null
  if ((f.from && !DAY.test(f.from)) || (f.to && !DAY.test(f.to))) return null
  return {
    ...(f.account ? { accountId: f.account.id } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  }
}

/** The exact number of mutations matching `f`: from the rollup when it can answer, else counted. */
async function countMatching(db: Sql, ws: Workspace, f: MootaMutationFilter): Promise<number> {
  const rollup = rollupFilterOf(f)
  if (rollup) {
    const t = await dayCountTotals(db, ws, rollup)
    return t.creditCount + t.debitCount
  }
  const { where, params } = whereOf(ws, f)
  const [count] = await db.query<{ n: string }>(`select count(*) as n from mutations m where ${where}`, params)
  return Number(count!.n)
}

type AccountCols = {
  a_id: string
  a_public_id: string
  a_kind: Account['kind']
  a_bank_type: string
  a_account_number: string
  a_holder_name: string
  a_label: string
  a_refresh_minutes: number
  a_active: boolean
  a_sandbox: boolean
  a_settings: Record<string, unknown>
  a_next_sync_at: Date | null
  a_created_at: Date
  a_balance: string | null
  a_last_update: Date | null
}

type Row = AccountCols & {
  id: string
  public_id: string
  direction: 'CR' | 'DB'
  amount: string
  balance: string | null
  description: string
  note: string
  occurred_at: Date
  created_at: Date
  updated_at: Date
}

// Per account shown: its latest reported balance and when it was last read (index lookups, once per page row).
const ACCOUNT_SELECT = `a.id as a_id, a.public_id as a_public_id, a.kind as a_kind, a.bank_type as a_bank_type,
  a.account_number as a_account_number, a.holder_name as a_holder_name, a.label as a_label,
  a.refresh_minutes as a_refresh_minutes, a.active as a_active, a.sandbox as a_sandbox, a.settings as a_settings,
  a.next_sync_at as a_next_sync_at, a.created_at as a_created_at, b.balance as a_balance, r.finished_at as a_last_update`
const ACCOUNT_LATERALS = `
  left join lateral (select m2.balance from mutations m2 where m2.account_id = a.id and m2.balance is not null
                     and m2.deleted_at is null order by m2.occurred_at desc, m2.position desc, m2.id desc limit 1) b on true
  left join lateral (select s.finished_at from sync_runs s where s.account_id = a.id and s.finished_at is not null
                     order by s.started_at desc, s.id desc limit 1) r on true`

function toMootaAccount(r: AccountCols): MootaAccount {
  return {
    ...toAccount({
      id: r.a_id,
      public_id: r.a_public_id,
      kind: r.a_kind,
      bank_type: r.a_bank_type,
      account_number: r.a_account_number,
      holder_name: r.a_holder_name,
      label: r.a_label,
      refresh_minutes: r.a_refresh_minutes,
      active: r.a_active,
      sandbox: r.a_sandbox,
      settings: r.a_settings,
      next_sync_at: r.a_next_sync_at,
      created_at: r.a_created_at,
    }),
    balance: r.a_balance === null ? null : String(r.a_balance),
    lastUpdate: r.a_last_update,
  }
}

/** Rows of `page` (a CTE of mutation columns) with their accounts and tags, newest first. */
async function withAccountsAndTags(
  db: Sql,
  ws: Workspace,
  pageSql: string,
  params: unknown[],
): Promise<MootaMutation[]> {
  const rows = await db.query<Row>(
    `with page as (${pageSql})
     select p.id, p.public_id, p.direction, p.amount, p.balance, p.description, p.note, p.occurred_at, p.created_at,
       p.updated_at, ${ACCOUNT_SELECT}
     from page p join accounts a on a.id = p.account_id ${ACCOUNT_LATERALS}
     order by p.occurred_at desc, p.id desc`,
    params,
  )
  if (!rows.length) return []
  const tags = await db.query<{ mutation_id: string; public_id: string; name: string }>(
    `select mt.mutation_id, t.public_id, t.name from mutation_tags mt join tags t on t.id = mt.tag_id
     where t.workspace_id = $1 and mt.mutation_id = any($2::bigint[])
     order by mt.created_at, t.id`,
    [ws.id, rows.map((r) => r.id)],
  )
  const byMutation = new Map<string, { name: string; tagId: string }[]>()
  for (const t of tags) {
    const key = String(t.mutation_id)
    byMutation.set(key, [...(byMutation.get(key) ?? []), { name: t.name, tagId: t.public_id }])
  }
  return rows.map((r) => ({
    publicId: r.public_id,
    type: r.direction,
    amount: BigInt(r.amount),
    balance: r.balance === null ? null : BigInt(r.balance),
    description: r.description,
    note: r.note,
    occurredAt: r.occurred_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    account: toMootaAccount(r),
    taggings: byMutation.get(String(r.id)) ?? [],
  }))
}

const PAGE_COLUMNS = `m.id, m.public_id, m.account_id, m.direction, m.amount, m.balance, m.description, m.note,
  m.occurred_at, m.created_at, m.updated_at`

/** One page (1-based) of the workspace's mutations matching `f`, newest first, with the exact total. */
export async function listMootaMutations(
  db: Sql,
  ws: Workspace,
  f: MootaMutationFilter,
  page: number,
  perPage: number,
): Promise<MootaMutationPage> {
  const total = await countMatching(db, ws, f)
  const { where, params } = whereOf(ws, f)
  const offset = (page - 1) * perPage
  if (offset >= total) return { total, rows: [] }
  const rows = await withAccountsAndTags(
    db,
    ws,
    `select ${PAGE_COLUMNS} from mutations m where ${where}
     order by m.occurred_at desc, m.id desc limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, perPage, offset],
  )
  return { total, rows }
}

/** One live (not deleted) mutation of the workspace, or null. */
export async function findMootaMutation(db: Sql, ws: Workspace, publicId: string): Promise<MootaMutation | null> {
  const [row] = await withAccountsAndTags(
    db,
    ws,
    `select ${PAGE_COLUMNS} from mutations m join accounts a on a.id = m.account_id
     where m.workspace_id = $1 and m.public_id = $2 and m.deleted_at is null and a.deleted_at is null
       and ${namedRows(ws, 'm.sandbox')}`,
    [ws.id, publicId],
  )
  return row ?? null
}

/** Live mutations of the workspace by internal id, oldest first, as Moota shows them (the webhook fan-out's input). */
export async function mootaMutationsByIds(db: Sql, ws: Workspace, ids: readonly string[]): Promise<MootaMutation[]> {
  if (!ids.length) return []
  const rows = await withAccountsAndTags(
    db,
    ws,
    `select ${PAGE_COLUMNS} from mutations m
     where m.workspace_id = $1 and m.id = any($2::bigint[]) and m.deleted_at is null`,
    [ws.id, ids],
  )
  return rows.reverse()
}

/** Sets a mutation's note; returns the updated mutation, or null when the workspace has no such live mutation. */
export async function setMutationNote(
  db: Sql,
  ws: Workspace,
  publicId: string,
  note: string,
): Promise<MootaMutation | null> {
  const updated = await db.query(
    `update mutations set note = $3, updated_at = now()
     where workspace_id = $1 and public_id = $2 and deleted_at is null and ${namedRows(ws, 'sandbox')} returning id`,
    [ws.id, publicId, note],
  )
  if (!updated.length) return null
  return findMootaMutation(db, ws, publicId)
}

/** An account of the workspace with its latest balance and last read, for Moota's `bank` filter; null if unknown. */
export async function findMootaAccount(db: Sql, ws: Workspace, publicId: string): Promise<MootaAccount | null> {
  const [row] = await db.query<AccountCols>(
    `select ${ACCOUNT_SELECT} from accounts a ${ACCOUNT_LATERALS}
     where a.workspace_id = $1 and a.public_id = $2 and a.deleted_at is null and ${namedRows(ws, 'a.sandbox')}`,
    [ws.id, publicId],
  )
  return row ? toMootaAccount(row) : null
}

export interface MootaSummary {
  totalBankActive: number
  totalBankInactive: number
  creditCount: number
  creditAmount: Sen
  debitCount: number
  debitAmount: Sen
}

/**
 * Counts and sums for Moota's `GET /mutation/summary`. Only `account`, `type`, `from` and `to` of the filter apply
 * there; the bank counts are of the named account, or of the workspace's live (non-sandbox) accounts.
 */
export async function summarizeMootaMutations(
  db: Sql,
  ws: Workspace,
  f: Pick<MootaMutationFilter, 'account' | 'type' | 'from' | 'to'>,
): Promise<MootaSummary> {
  const rollup = rollupFilterOf(f)
  const sums = rollup ? await dayCountTotals(db, ws, rollup) : await summedMatching(db, ws, f)
  const [banks] = await db.query<{ active: string; inactive: string }>(
    `select count(*) filter (where a.active) as active, count(*) filter (where not a.active) as inactive
     from accounts a where a.workspace_id = $1 and a.deleted_at is null
       and ${f.account ? 'a.id = $2' : unnamedRows(ws, 'a.sandbox')}`,
    f.account ? [ws.id, f.account.id] : [ws.id],
  )
  return {
    totalBankActive: Number(banks!.active),
    totalBankInactive: Number(banks!.inactive),
    ...sums,
  }
}

/** The summary's counts and sums by scanning the matching mutations (a date given as more than a day, say). */
async function summedMatching(db: Sql, ws: Workspace, f: MootaMutationFilter): Promise<DayCountTotals> {
  const { where, params } = whereOf(ws, f)
  const [sums] = await db.query<{ cr_n: string; cr_sum: string; db_n: string; db_sum: string }>(
    `select count(*) filter (where m.direction = 'CR') as cr_n,
            coalesce(sum(m.amount) filter (where m.direction = 'CR'), 0) as cr_sum,
            count(*) filter (where m.direction = 'DB') as db_n,
            coalesce(sum(m.amount) filter (where m.direction = 'DB'), 0) as db_sum
     from mutations m where ${where}`,
    params,
  )
  return {
    creditCount: Number(sums!.cr_n),
    creditAmount: BigInt(sums!.cr_sum),
    debitCount: Number(sums!.db_n),
    debitAmount: BigInt(sums!.db_sum),
  }
}
