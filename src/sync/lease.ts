/**
 * Which process refreshes which account, and when. Claiming is one short transaction with `FOR UPDATE SKIP LOCKED`:
 * it moves `next_sync_at` past the due time and sets a lease, so that several workers on PostgreSQL never refresh
 * an account twice for the same due time, and a worker that dies leaves a lease that simply expires.
 */
import { ACCOUNT_COLUMNS, type Account, toAccount } from '../accounts/accounts.ts'
import type { Db, Sql } from '../db/db.ts'
import { interruptRuns, type SyncTrigger } from './runs.ts'

export interface Claim {
  account: Account
  /** The lease this claim holds; releasing checks it, so a late finisher never frees someone else's lease. */
  leaseUntil: Date
  /** `manual` when someone asked for "refresh now" since the last claim. */
  trigger: SyncTrigger
}

export interface ClaimParams {
  /** At most this many accounts. */
  limit: number
  /** How long the lease holds if the worker never releases it. */
  leaseMs: number
  /** Only accounts of these bank types (those a connector polls). */
  bankTypes: readonly string[]
}

/**
 * Claims up to `limit` due accounts: active, not deleted, of a polled bank type, `next_sync_at` passed and no live
 * lease. Times are the database's `now()`, so hosts with drifting clocks agree. Runs left `running` by an earlier
 * holder of an expired lease are closed as interrupted in the same transaction.
 */
export async function claimDue(db: Db, p: ClaimParams): Promise<Claim[]> {
  if (p.limit <= 0 || p.bankTypes.length === 0) return []
  return db.tx(async (tx) => {
    const rows = await tx.query<Parameters<typeof toAccount>[0] & { sync_lease_until: Date; requested: boolean }>(
      `with due as (
         select a.id, a.refresh_requested_at is not null as requested from accounts a
         where a.active and a.deleted_at is null and a.bank_type = any($1::text[])
           and a.next_sync_at <= now()
           and (a.sync_lease_until is null or a.sync_lease_until <= now())
         order by a.next_sync_at, a.id
         limit $2
         for update skip locked
       )
       update accounts a
       -- Whole milliseconds, so the lease survives the round trip through a JS Date and release can compare it.
       set sync_lease_until = date_trunc('milliseconds', now() + $3::int * interval '1 millisecond'),
           next_sync_at = now() + a.refresh_minutes * interval '1 minute',
           refresh_requested_at = null
       from due where a.id = due.id
       returning ${ACCOUNT_COLUMNS}, a.sync_lease_until, due.requested`,
      [p.bankTypes, p.limit, p.leaseMs],
    )
    await interruptRuns(
      tx,
      rows.map((r) => r.id),
    )
    return rows.map((r) => ({
      account: toAccount(r),
      leaseUntil: r.sync_lease_until,
      trigger: r.requested ? 'manual' : 'schedule',
    }))
  })
}

/** Frees the account for the next due time, if the lease is still the one this claim took. */
export async function releaseLease(db: Sql, claim: Claim): Promise<void> {
  await db.query('update accounts set sync_lease_until = null where id = $1 and sync_lease_until = $2', [
    claim.account.id,
    claim.leaseUntil,
  ])
}
