/**
 * The embedded engine: PGlite in a worker thread (see pglite-worker.ts), behind the common `Db` interface.
 * The caller must hold the data-directory lock first (db/lock.ts): PGlite itself has none and two processes on one
 * directory silently corrupt it.
 */
import { Worker } from 'node:worker_threads'
import { type Db, DbError, type Row, type Sql } from './db.ts'
import type { Request, Response } from './pglite-worker.ts'

type Pending = { resolve: (r: Response & { ok: true }) => void; reject: (e: Error) => void }
type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/** Opens PGlite on `dataDir` (created if missing), or in memory when `dataDir` is null. */
export async function openPglite(dataDir: string | null): Promise<Db> {
  const worker = new Worker(new URL('./pglite-worker.boot.js', import.meta.url), { workerData: { dataDir } })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let closed = false

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject })
    worker.once('error', reject)
  })
  worker.on('message', (res: Response) => {
    const p = pending.get(res.id)
    if (!p) return
    pending.delete(res.id)
    if (res.ok) p.resolve(res)
    else p.reject(new DbError(res.error.message, res.error.code, res.error.constraint, res.error.detail))
  })
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  })
  worker.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new DbError(`embedded database worker exited (${code})`))
    pending.clear()
  })
  await ready

  function send(body: RequestBody): Promise<Response & { ok: true }> {
    if (closed) return Promise.reject(new DbError('database is closed'))
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      worker.postMessage({ ...body, id })
    })
  }

  const sqlFor = (tx?: number): Sql => ({
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []) {
      const res = await send({ op: 'query', sql: text, params: [...params], tx })
      return (res.rows ?? []) as R[]
    },
    async exec(text: string) {
      await send({ op: 'exec', sql: text, tx })
    },
  })

  const root = sqlFor()
  return {
    engine: 'pglite',
    query: root.query,
    exec: root.exec,
    async tx(fn) {
      const { tx } = await send({ op: 'begin' })
      const id = tx!
      let result: Awaited<ReturnType<typeof fn>>
      try {
        result = await fn(sqlFor(id))
      } catch (err) {
        await send({ op: 'rollback', tx: id })
        throw err
      }
      await send({ op: 'commit', tx: id })
      return result
    },
    async close() {
      if (closed) return
      await send({ op: 'close' })
      closed = true
      await worker.terminate()
    },
  }
}
