/**
 * One refresh of one account: start a run, read the source under a deadline, hand the rows to the ledger, close the
 * run. A source failure is never thrown: it is the run's `failed` state with a reason a person can act on.
 */
import { hostname } from 'node:os'
import type { Account } from '../accounts/accounts.ts'
import type { App } from '../app.ts'
import { ConnectorError, isConnectorError, untilAborted } from '../connectors/connector.ts'
import { connectorFor } from '../connectors/registry.ts'
import { ingest } from '../ledger/ingest.ts'
import { decryptSecret } from '../shared/crypto.ts'
import { AppError, isAppError } from '../shared/errors.ts'
import { workspaceById } from '../workspaces/workspaces.ts'
import { syncDuration, syncInFlight, syncRuns } from './metrics.ts'
import { finishRun, type SyncRun, type SyncTrigger, startRun } from './runs.ts'

/** `30000` → `"30 s"`, `1500` → `"1.5 s"`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`
}

/**
 * The reason a run failed, as shown in the run list. Pure.
 * `timedOut`: whether our own deadline aborted the read (rather than the source timing out by itself).
 */
export function failureText(err: unknown, p: { timeoutMs: number; timedOut: boolean }): string {
  if (isConnectorError(err)) {
    switch (err.code) {
      case 'timeout':
        return p.timedOut ? `timeout after ${formatSeconds(p.timeoutMs)}` : `timeout: ${err.message}`
      case 'login_failed':
        return `reading failed: login refused by the bank (${err.message})`
      case 'malformed':
        return `malformed data: ${err.message}`
      case 'unavailable':
        return `reading failed: ${err.message}`
    }
  }
  // The ledger refuses the whole batch and names the row: `rows[3].amount: …`.
  if (isAppError(err) && err.code === 'validation') return `malformed data: ${err.message}`
  if (isAppError(err)) return `reading failed: ${err.message}`
  return `internal error: ${err instanceof Error ? err.message : String(err)}`
}

export function defaultWorkerName(): string {
  return `${hostname()}:${process.pid}`
}

export interface RefreshOptions {
  /** Recorded on the run; default `host:pid`. */
  worker?: string
  /** The instant to read as of; default now. */
  now?: Date
}

/**
 * Refreshes an account that has a polling connector and returns its finished run. The caller makes sure no other
 * refresh of the account runs at the same time (the scheduler's lease). Throws only when the account has no
 * source or the database fails.
 */
export async function refreshAccount(
  app: App,
  account: Account,
  trigger: SyncTrigger,
  opts: RefreshOptions = {},
): Promise<SyncRun> {
  const connector = connectorFor(account)
  if (!connector)
    throw AppError.validation(
      `account ${account.publicId} (${account.bankType}) has no source to read`,
      'bank_id',
    )
  const [owner] = await app.db.query<{ workspace_id: string; credentials_enc: string | null }>(
    'select workspace_id, credentials_enc from accounts where id = $1 and deleted_at is null',
    [account.id],
  )
  if (!owner) throw AppError.notFound(`account ${account.publicId} not found`)
  const ws = await workspaceById(app.db, owner.workspace_id)
  const log = app.log.child({ account: account.publicId, source: connector.source })
  const timeoutMs = app.config.syncTimeoutMs
  const now = opts.now ?? new Date()

  const run = await startRun(app.db, {
    accountId: account.id,
    trigger,
    worker: opts.worker ?? defaultWorkerName(),
  })
  const started = performance.now()
  syncInFlight.inc()
  const deadline = new AbortController()
  const timer = setTimeout(
    () => deadline.abort(new ConnectorError('timeout', `no answer within ${formatSeconds(timeoutMs)}`)),
    timeoutMs,
  )
  let outcome: { rowsSeen: number; rowsNew: number; error: string | null }
  // Rows read before a failure: a batch the ledger refused was still seen, just not stored.
  let seen = 0
  try {
    let credentials: string | undefined
    if (owner.credentials_enc) {
      try {
        credentials = decryptSecret(app.secretKey, owner.credentials_enc)
      } catch {
        throw new ConnectorError(
          'unavailable',
          'the stored credentials cannot be decrypted (was LUNAS_SECRET_KEY changed?)',
          { retryable: false },
        )
      }
    }
    // Raced against the deadline too: a connector that ignores its signal must not hold the run open.
    const rows = await Promise.race([
      connector.fetch({
        account,
        settings: account.settings,
        now,
        signal: deadline.signal,
        ...(credentials === undefined ? {} : { credentials }),
      }),
      untilAborted(deadline.signal),
    ])
    clearTimeout(timer)
    seen = rows.length
    const result = await ingest(app.db, ws, {
      accountId: account.publicId,
      source: connector.source,
      rows,
      syncRunId: run.id,
      readAt: now,
      webhookBatchMax: app.config.webhookBatchMax,
    })
    outcome = { rowsSeen: result.seen, rowsNew: result.inserted.length, error: null }
    if (result.gaps > 0) log.warn({ gaps: result.gaps }, 'the running balance has gaps')
  } catch (err) {
    const error = failureText(err, { timeoutMs, timedOut: deadline.signal.aborted })
    outcome = { rowsSeen: seen, rowsNew: 0, error }
    if (isConnectorError(err) || isAppError(err)) log.warn({ run: run.publicId, error }, 'sync run failed')
    else log.error({ err, run: run.publicId }, 'sync run failed unexpectedly')
  } finally {
    clearTimeout(timer)
    syncInFlight.dec()
  }

  const finished = await finishRun(app.db, run.id, outcome)
  syncRuns.inc({ status: finished.status, trigger })
  syncDuration.observe({ status: finished.status }, (performance.now() - started) / 1000)
  if (finished.status !== 'failed')
    log.info(
      { run: run.publicId, status: finished.status, seen: outcome.rowsSeen, new: outcome.rowsNew },
      'sync run finished',
    )
  return finished
}
