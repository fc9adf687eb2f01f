/**
 * PGlite runs every query synchronously on its thread, so it lives here, in a worker thread: a 600 ms query stalls
 * this thread, not the HTTP server's event loop (ADR 0003). The protocol is small: query / exec / begin / commit /
 * rollback / close, each answered once by id.
 */
import { mkdirSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { TEXT_TYPES } from './db.ts'

export type Request =
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'close' }

export type Response =
  | { id: number; ok: true; rows?: unknown[]; tx?: number }
  | { id: number; ok: false; error: { message: string; code?: string; constraint?: string; detail?: string } }

const port = parentPort!
const { dataDir } = workerData as { dataDir: string | null }
const asText = (x: string) => x

if (dataDir) mkdirSync(dataDir, { recursive: true })
const db = await PGlite.create(dataDir ?? undefined, {
  // Extensions used by migrations must be loaded here (PGlite bundles them but loads only what is named).
  extensions: { pg_trgm },
  parsers: { [TEXT_TYPES.int8]: asText, [TEXT_TYPES.numeric]: asText, [TEXT_TYPES.date]: asText },
})

interface OpenTx {
  tx: Transaction
  finish: (commit: boolean) => void
}
const open = new Map<number, OpenTx>()
const ended = new Map<number, Promise<void>>()
let nextTx = 1

function fail(id: number, err: unknown): Response {
  const e = err as { message?: string; code?: string; constraint?: string; detail?: string }
  return {
    id,
    ok: false,
    error: {
      message: e?.message ?? String(err),
      code: e?.code,
      constraint: e?.constraint,
      detail: e?.detail,
    },
  }
}

function target(txId: number | undefined): Pick<Transaction, 'query' | 'exec'> {
  if (txId === undefined) return db
  const t = open.get(txId)
  if (!t) throw new Error(`transaction ${txId} is not open`)
  return t.tx
}

async function handle(msg: Request): Promise<Response | null> {
  switch (msg.op) {
    case 'query': {
      const r = await target(msg.tx).query(msg.sql, msg.params)
      return { id: msg.id, ok: true, rows: r.rows }
    }
    case 'exec':
      await target(msg.tx).exec(msg.sql)
      return { id: msg.id, ok: true }
    case 'begin': {
      // PGlite's transaction() holds its mutex for the whole callback, so statements outside the transaction
      // wait until it ends. We answer `begin` only once the callback runs, i.e. once we own the connection.
      const txId = nextTx++
      let started = false
      const settled = db.transaction(
        (tx) =>
          new Promise<void>((resolve, reject) => {
            started = true
            open.set(txId, { tx, finish: (commit) => (commit ? resolve() : reject(new RollbackSignal())) })
            port.postMessage({ id: msg.id, ok: true, tx: txId } satisfies Response)
          }),
      )
      ended.set(txId, settled)
      settled
        .catch((err) => {
          if (!started) port.postMessage(fail(msg.id, err))
        })
        .finally(() => {
          open.delete(txId)
          ended.delete(txId)
        })
      return null
    }
    case 'commit':
    case 'rollback': {
      const t = open.get(msg.tx)
      const settled = ended.get(msg.tx)
      if (!t || !settled) throw new Error(`transaction ${msg.tx} is not open`)
      t.finish(msg.op === 'commit')
      try {
        await settled
      } catch (err) {
        if (!(err instanceof RollbackSignal)) throw err
      }
      return { id: msg.id, ok: true }
    }
    case 'close':
      await db.close()
      return { id: msg.id, ok: true }
  }
}

class RollbackSignal extends Error {}

port.on('message', (msg: Request) => {
  handle(msg).then(
    (res) => res && port.postMessage(res),
    (err) => port.postMessage(fail(msg.id, err)),
  )
})
port.postMessage({ id: 0, ok: true } satisfies Response)
