/**
 * Retention of the API-call log: the process serving HTTP deletes calls older than LUNAS_API_LOG_RETENTION_DAYS a
 * minute after it starts and then every hour. Several API processes may all prune; the deletes are idempotent and
 * batched, so they only share the work.
 */
import type { Sql } from '../db/db.ts'
import type { Logger } from '../shared/log.ts'
import { pruneApiCalls } from './queries.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const FIRST_RUN_MS = 60_000
const EVERY_MS = 60 * 60 * 1000

/** The instant before which calls are deleted. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS)
}

/** Deletes the calls older than `days`; returns how many. */
export function pruneOldCalls(db: Sql, days: number, now = new Date()): Promise<number> {
  return pruneApiCalls(db, retentionCutoff(now, days))
}

export interface Retention {
  /** Stops the timer and waits for a prune under way. */
  stop(): Promise<void>
}

export function startRetention(db: Sql, log: Logger, days: number): Retention {
  let running: Promise<unknown> | null = null
  const run = () => {
    running ??= pruneOldCalls(db, days)
      .then((n) => n && log.info({ deleted: n, days }, 'API-call log: old calls deleted'))
      .catch((err: unknown) => log.warn({ err }, 'API-call log: pruning failed; retried at the next run'))
      .finally(() => {
        running = null
      })
  }
  let timer = setTimeout(function tick() {
    run()
    timer = setTimeout(tick, EVERY_MS)
    timer.unref()
  }, FIRST_RUN_MS)
  timer.unref()
  return {
    async stop() {
      clearTimeout(timer)
      await running
    },
  }
}
