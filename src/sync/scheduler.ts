/**
 * The scheduler: every tick it claims due accounts (lease.ts) and refreshes up to `syncConcurrency` of them at
 * once, outside any transaction, releasing each lease when its run ends. Any number of worker processes can run it
 * on PostgreSQL; the claim makes sure each due time is refreshed once.
 */
import type { App } from '../app.ts'
import { connectorFor, polledBankTypes } from '../connectors/registry.ts'
import { type Claim, claimDue, releaseLease } from './lease.ts'
import { defaultWorkerName, refreshAccount } from './refresh.ts'

export interface Scheduler {
  /** Stops ticking and resolves once the runs in flight have finished. */
  stop(): Promise<void>
  /** Ticks now (e.g. after "refresh now" marked an account due) instead of at the next interval. */
  wake(): void
}

export interface SchedulerOptions {
  /** Recorded on each run; default `host:pid`. */
  worker?: string
}

export function startScheduler(app: App, opts: SchedulerOptions = {}): Scheduler {
  const { schedulerTickMs, syncConcurrency, syncTimeoutMs } = app.config
  const worker = opts.worker ?? defaultWorkerName()
  const log = app.log.child({ component: 'scheduler', worker })
  const bankTypes = polledBankTypes()
  const inFlight = new Set<Promise<void>>()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let ticking: Promise<void> | null = null
  let tickAgain = false

  async function refresh(claim: Claim): Promise<void> {
    try {
      // Claimed by bank type; a source that is switched off (a sandbox without its feed) gets no run.
      if (connectorFor(claim.account)) await refreshAccount(app, claim.account, claim.trigger, { worker })
    } catch (err) {
      log.error({ err, account: claim.account.publicId }, 'refresh failed')
    } finally {
      await releaseLease(app.db, claim).catch((err: unknown) =>
        log.error({ err, account: claim.account.publicId }, 'releasing the sync lease failed'),
      )
    }
  }

  async function tick(): Promise<void> {
    const free = syncConcurrency - inFlight.size
    if (free <= 0) return
    const claims = await claimDue(app.db, { limit: free, leaseMs: syncTimeoutMs * 2, bankTypes })
    for (const claim of claims) {
      const running: Promise<void> = refresh(claim).finally(() => {
        inFlight.delete(running)
        // A slot is free: more accounts may be waiting for it.
        wake()
      })
      inFlight.add(running)
    }
    // Every slot was filled, so more may be due; they are claimed as runs finish.
    if (claims.length === free) tickAgain = true
  }

  function schedule(ms: number): void {
    clearTimeout(timer)
    if (stopped) return
    timer = setTimeout(runTick, ms)
    // The HTTP server (or the caller) keeps the process alive, not the scheduler.
    timer.unref()
  }

  function runTick(): void {
    if (stopped) return
    if (ticking) {
      tickAgain = true
      return
    }
    ticking = tick()
      .catch((err: unknown) => log.error({ err }, 'claiming due accounts failed'))
      .finally(() => {
        ticking = null
        const soon = tickAgain && inFlight.size < syncConcurrency
        tickAgain = false
        schedule(soon ? 0 : schedulerTickMs)
      })
  }

  function wake(): void {
    if (!stopped) schedule(0)
  }

  schedule(0)
  log.debug({ tickMs: schedulerTickMs, concurrency: syncConcurrency }, 'scheduler started')

  return {
    wake,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await ticking
      await Promise.allSettled([...inFlight])
      log.debug('scheduler stopped')
    },
  }
}
