/**
 * What the API-call log costs a cheap authenticated read: GET /api/v2/user (one token lookup, one user read) under
 * concurrent HTTP load, with LUNAS_API_LOG off and on, alternating (off, on, off, on) on the same database so drift
 * of the machine's load hits both alike. Rate limiting is off in both, so only the log differs. The load runs in a
 * child process (load.ts), as in the eventloop scenario.
 */
import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../src/api/server.ts'
import type { App } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/shared/log.ts'
import { createToken } from '../src/tokens/tokens.ts'
import { createUser } from '../src/users/users.ts'
import { startLoadChild } from './load.ts'
import type { LoadResult } from './load.ts'
import { int, ms, openBenchPglite, percentile, perSec, ratio, type SummaryRow, section } from './util.ts'

export interface ApiLogOptions {
  /** Length of each of the four phases. */
  seconds: number
  concurrency: number
}

const PATH = '/api/v2/user'
const ROUNDS = 2

interface Figures {
  requests: number
  non200: number
  elapsedMs: number
  latencies: number[]
}

export async function runApiLogScenario(o: ApiLogOptions): Promise<SummaryRow[]> {
  const bench = await openBenchPglite('apilog')
  const { db } = bench
  let server: FastifyInstance | null = null
  let kill: (() => void) | null = null
  try {
    section(`apilog on ${bench.label}: GET ${PATH}, ${o.concurrency} loops, log off vs on, ${ROUNDS} rounds of ${o.seconds} s each`)
    const email = 'bench-apilog@lunas.test'
    await createUser(db, { email, password: 'bench-password', workspace: 'bench-apilog' })
    const { token } = await createToken(db, { email, scopes: 'user_read', name: 'bench' })
    const appFor = (log: boolean): App => ({
      config: loadConfig({
        LUNAS_DATA_DIR: dirname(bench.dir!),
        LUNAS_LOG_LEVEL: 'silent',
        LUNAS_RATE_LIMIT_PER_MINUTE: '0',
        LUNAS_API_LOG: log ? 'on' : 'off',
      }),
      db,
      log: createLogger('silent'),
      secretKey: Buffer.alloc(32, 7),
    })

    const totals: Record<'off' | 'on', Figures> = {
      off: { requests: 0, non200: 0, elapsedMs: 0, latencies: [] },
      on: { requests: 0, non200: 0, elapsedMs: 0, latencies: [] },
    }
    let dropped = 0
    let warmupLogged = 0
    // Round 0 is a warm-up (JIT, tsx, PGlite caches, both code paths), run but not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const mode of ['off', 'on'] as const) {
        server = await buildServer(appFor(mode === 'on'))
        await server.listen({ host: '127.0.0.1', port: 0 })
        const address = server.server.address()
        if (!address || typeof address === 'string') throw new Error('server did not listen on TCP')
        const loader = await startLoadChild()
        kill = () => loader.child.kill()
        const r: LoadResult = await loader.run({
          baseUrl: `http://127.0.0.1:${address.port}`,
          targets: [{ token, requests: [{ name: mode, path: PATH }] }],
          concurrency: o.concurrency,
          durationMs: round === 0 ? 1000 : o.seconds * 1000,
          maxRequests: 10_000_000,
        })
        kill = null
        const stats = server.apiCallLog?.stats()
        // Closing writes what the log still buffers: its cost is paid here, outside the measured window, but the
        // written count below shows it kept up.
        await server.close()
        server = null
        dropped += stats?.dropped ?? 0
        const lat = r.latencies[mode] ?? []
        const ok = r.statuses['200'] ?? 0
        if (round === 0) {
          if (mode === 'on') warmupLogged = lat.length
          continue
        }
        const t = totals[mode]
        t.requests += lat.length
        t.non200 += lat.length - ok
        t.elapsedMs += r.elapsedMs
        t.latencies.push(...lat)
        console.log(
          `  round ${round} log ${mode.padEnd(3)}: ${int(lat.length)} requests = ${int(perSec(lat.length, r.elapsedMs))} req/s; ` +
            `p50 ${ms(percentile(lat, 50))} ms p99 ${ms(percentile(lat, 99))} ms` +
            (r.failures.length ? `; failures: ${r.failures.join(' | ')}` : ''),
        )
      }
    }
    // Written by the counted rounds: the warm-up's calls come first, by time.
    const [logged] = await db.query<{ n: number }>(
      'select (count(*) - $1::int)::int as n from api_calls',
      [warmupLogged],
    )
    const rate = (m: 'off' | 'on') => perSec(totals[m].requests, totals[m].elapsedMs)
    const p = (m: 'off' | 'on', q: number) => percentile(totals[m].latencies, q)
    console.log(
      `  log off: ${int(rate('off'))} req/s, p50 ${ms(p('off', 50))} ms, p99 ${ms(p('off', 99))} ms\n` +
        `  log on:  ${int(rate('on'))} req/s, p50 ${ms(p('on', 50))} ms, p99 ${ms(p('on', 99))} ms\n` +
        `  on/off: throughput ${ratio(rate('on'), rate('off'))}, p99 ${ratio(p('on', 99), p('off', 99))}; ` +
        `${int(logged!.n)} calls written of ${int(totals.on.requests)} made with the log on, ${int(dropped)} dropped`,
    )
    const s = 'apilog · PGlite disk'
    return [
      { scenario: s, metric: `GET ${PATH}, log off: req/s`, value: `${int(rate('off'))} req/s`, note: `p50 / p99 ${ms(p('off', 50))} / ${ms(p('off', 99))} ms` },
      { scenario: s, metric: `GET ${PATH}, log on: req/s`, value: `${int(rate('on'))} req/s`, note: `p50 / p99 ${ms(p('on', 50))} / ${ms(p('on', 99))} ms` },
      { scenario: s, metric: 'log on / off: throughput', value: ratio(rate('on'), rate('off')) },
      { scenario: s, metric: 'log on / off: p99 latency', value: ratio(p('on', 99), p('off', 99)) },
      {
        scenario: s,
        metric: 'calls written / made (log on)',
        value: `${int(logged!.n)} / ${int(totals.on.requests)}`,
        note: `${int(dropped)} dropped; ${int(totals.on.non200 + totals.off.non200)} non-200`,
      },
    ]
  } finally {
    kill?.()
    await server?.close()
    await bench.close()
  }
}
