import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import type { Db } from '../db/db.ts'
import { newPublicId } from '../shared/ids.ts'
import { createLogger } from '../shared/log.ts'
import type { ApiCallRecord } from './queries.ts'
import { startRecorder } from './recorder.ts'

const log = createLogger('silent')

function call(path = '/v1/accounts'): ApiCallRecord {
  return {
    publicId: newPublicId(),
    workspaceId: null,
    tokenId: null,
    at: new Date(),
    method: 'GET',
    path,
    status: 401,
    latencyMs: 1.5,
    requestBody: null,
    bodyTruncated: false,
    responseBytes: 27,
    ip: '127.0.0.1',
  }
}

const count = async (db: Db, path: string) =>
  (await db.query<{ n: number }>('select count(*)::int as n from api_calls where path = $1', [path]))[0]!.n

describe('API-call recorder', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb()
  })
  afterAll(() => t?.close())

  it('writes nothing on the request path: calls appear once the buffer is flushed', async () => {
    const r = startRecorder(t.db, log, { flushMs: 60_000 })
    for (let i = 0; i < 3; i++) r.record(call('/p/flush'))
    expect(await count(t.db, '/p/flush')).toBe(0)
    await r.flush()
    expect(await count(t.db, '/p/flush')).toBe(3)
    await r.close()
  })

  it('writes a full batch without waiting for the timer, in several inserts when needed', async () => {
    const r = startRecorder(t.db, log, { flushMs: 60_000, batchSize: 4 })
    for (let i = 0; i < 10; i++) r.record(call('/p/batch'))
    await r.flush()
    expect(await count(t.db, '/p/batch')).toBe(10)
    expect(r.stats()).toEqual({ buffered: 0, written: 10, dropped: 0 })
    await r.close()
  })

  it('writes what is left on close, and drops (counting) what comes after', async () => {
    const r = startRecorder(t.db, log, { flushMs: 60_000 })
    r.record(call('/p/close'))
    r.record(call('/p/close'))
    await r.close()
    expect(await count(t.db, '/p/close')).toBe(2)
    r.record(call('/p/close'))
    expect(r.stats().dropped).toBe(1)
  })

  it('is bounded: beyond the bound calls are dropped and counted, never queued', async () => {
    const r = startRecorder(t.db, log, { flushMs: 60_000, batchSize: 100, maxBuffered: 5 })
    for (let i = 0; i < 8; i++) r.record(call('/p/bound'))
    expect(r.stats()).toMatchObject({ buffered: 5, dropped: 3 })
    await r.close()
    expect(await count(t.db, '/p/bound')).toBe(5)
  })

  it('drops and counts a batch when the database is down, without throwing', async () => {
    const down = await openTestDb()
    await down.close()
    const r = startRecorder(down.db, log, { flushMs: 60_000 })
    r.record(call())
    r.record(call())
    await expect(r.flush()).resolves.toBeUndefined()
    expect(r.stats()).toEqual({ buffered: 0, written: 0, dropped: 2 })
    await r.close()
  })
})
