/**
 * The API-call log's writer. Recording must never slow or break a request, so `record` only pushes onto an
 * in-memory buffer; a timer (or a full batch) writes the buffer with one multi-row insert. The buffer is bounded:
 * when the database is down or slower than the traffic, calls beyond the bound are dropped and counted, never
 * waited for. `close` writes what is left (the server calls it on close, before the database closes).
 *
 * A process that crashes loses at most its unflushed buffer (one interval's calls): acceptable for a log that
 * explains traffic, not for the ledger, which never goes through here.
 */
import type { Sql } from '../db/db.ts'
import type { Logger } from '../shared/log.ts'
import { type ApiCallRecord, insertApiCalls } from './queries.ts'

export interface RecorderOptions {
  /** Write the buffer at least this often (ms). */
  flushMs?: number
  /** Rows per insert; a buffer this full is written at once. */
  batchSize?: number
  /** Calls held at most; newer ones are dropped while the buffer is full. */
  maxBuffered?: number
}

export interface RecorderStats {
  buffered: number
  written: number
  dropped: number
}

export interface ApiCallRecorder {
  /** Buffers one call; never throws, never waits. */
  record(call: ApiCallRecord): void
  /** Writes everything buffered now (also waits for a write under way). Never rejects. */
  flush(): Promise<void>
  /** Stops the timer and writes what is left; later calls are dropped. */
  close(): Promise<void>
  stats(): RecorderStats
}

const WARN_EVERY_MS = 60_000

export function startRecorder(db: Sql, log: Logger, opts: RecorderOptions = {}): ApiCallRecorder {
  const flushMs = opts.flushMs ?? 1000
  const batchSize = opts.batchSize ?? 500
  const maxBuffered = opts.maxBuffered ?? 10_000
  let buffer: ApiCallRecord[] = []
  let written = 0
  let dropped = 0
  let closed = false
  let running: Promise<void> | null = null
  let lastWarn = 0

  function drop(n: number, err?: unknown) {
    dropped += n
    const now = Date.now()
    // One line a minute at most: a database outage must not turn into a log flood.
    if (now - lastWarn < WARN_EVERY_MS) return
    lastWarn = now
    log.warn({ err, droppedTotal: dropped }, 'API-call log: calls dropped (database unavailable or buffer full)')
  }

  async function writeAll(): Promise<void> {
    while (buffer.length) {
      const batch = buffer.length <= batchSize ? buffer : buffer.slice(0, batchSize)
      buffer = batch === buffer ? [] : buffer.slice(batchSize)
      try {
        await insertApiCalls(db, batch)
        written += batch.length
      } catch (err) {
        // Dropped, not retried: a retry queue would grow without bound while the database is down.
        drop(batch.length, err)
        return
      }
    }
  }

  function flush(): Promise<void> {
    running ??= writeAll().finally(() => {
      running = null
    })
    return running
  }

  const timer = setInterval(() => void flush(), flushMs)
  timer.unref()

  return {
    record(call) {
      if (closed || buffer.length >= maxBuffered) return drop(1)
      buffer.push(call)
      if (buffer.length >= batchSize && !running) void flush()
    },
    async flush() {
      // A write under way took its batch already; wait for it, then write what came since.
      await running
      await flush()
    },
    async close() {
      closed = true
      clearInterval(timer)
      await running
      await flush()
    },
    stats: () => ({ buffered: buffer.length, written, dropped }),
  }
}
