/**
 * The pieces both mutation lists (the /v1 keyset list and Moota's paged list) build their WHERE clauses from, so a
 * filter means the same thing on both surfaces.
 */
import { startOfWibDay } from '../shared/time.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/** How a statement over `mutations m` leaves out the mutations of deleted accounts. */
export type LiveAccounts = 'join' | 'anti'

/**
 * For a statement that joins `accounts a` (it shows account columns): the joined row is live. For one over `mutations
 * m` alone (a count): the account is none of the workspace's deleted ones, a list computed once per statement (usually
 * empty), so no join runs for each matching row. The same rows either way: a mutation's account is in its workspace.
 */
const LIVE_ACCOUNT: Record<LiveAccounts, string> = {
  join: 'a.deleted_at is null',
  anti: 'm.account_id <> all(array(select id from accounts where workspace_id = $1 and deleted_at is not null))',
}

/** A WHERE clause under construction: `$1` is the workspace id, and every tenant list starts scoped to it. */
export function scopedWhere(workspaceId: string, accounts: LiveAccounts = 'join') {
  const params: unknown[] = [workspaceId]
  const where = ['m.workspace_id = $1', 'm.deleted_at is null', LIVE_ACCOUNT[accounts]]
  return {
    params,
    where,
    /** Adds a condition with one parameter; `sql` receives its placeholder. */
    add(sql: (p: string) => string, value: unknown): void {
      params.push(value)
      where.push(sql(`$${params.length}`))
    },
  }
}

/** `%`, `_` and `\` in a search term are literal, not wildcards. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`
}

/** The instant a WIB day starts, as ISO text: the inclusive lower bound of a `from` day. */
export function dayStart(day: string): string {
  return startOfWibDay(day).toISOString()
}

/** The instant after a WIB day ends, as ISO text: the exclusive upper bound of a `to` day. */
export function dayEnd(day: string): string {
  return new Date(startOfWibDay(day).getTime() + DAY_MS).toISOString()
}
