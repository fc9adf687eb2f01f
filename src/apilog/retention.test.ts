import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { newPublicId } from '../shared/ids.ts'
import { insertApiCalls, pruneApiCalls } from './queries.ts'
import { pruneOldCalls, retentionCutoff } from './retention.ts'

const DAY = 24 * 60 * 60 * 1000

describe('API-call retention', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb()
  })
  afterAll(() => t?.close())

  const at = (daysAgo: number, now: Date) => ({
    publicId: newPublicId(),
    workspaceId: null,
    tokenId: null,
    at: new Date(now.getTime() - daysAgo * DAY),
    method: 'GET',
    path: `/v1/x?d=${daysAgo}`,
    status: 200,
    latencyMs: 1,
    requestBody: null,
    bodyTruncated: false,
    responseBytes: null,
    ip: '',
  })

  it('deletes calls older than the retention days and keeps the rest', async () => {
    const now = new Date('2026-11-22T00:00:00Z')
    await insertApiCalls(t.db, [at(40, now), at(31, now), at(29, now), at(1, now)])
    expect(retentionCutoff(now, 30).toISOString()).toBe('2026-10-23T00:00:00.000Z')
    expect(await pruneOldCalls(t.db, 30, now)).toBe(2)
    const left = await t.db.query<{ path: string }>('select path from api_calls order by at')
    expect(left.map((r) => r.path)).toEqual(['/v1/x?d=29', '/v1/x?d=1'])
  })

  it('deletes in batches until nothing older is left', async () => {
    const now = new Date('2026-11-22T00:00:00Z')
    await insertApiCalls(t.db, Array.from({ length: 7 }, () => at(100, now)))
    expect(await pruneApiCalls(t.db, retentionCutoff(now, 30), 3)).toBe(7)
    const [r] = await t.db.query<{ n: number }>('select count(*)::int as n from api_calls where at < $1', [
      retentionCutoff(now, 30).toISOString(),
    ])
    expect(r!.n).toBe(0)
  })
})
