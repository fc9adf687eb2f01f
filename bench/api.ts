/**
 * Issue 3's "what it must show" for the read API: `GET /api/v2/mutation` (Moota's list: exact total, offset pages)
 * over a million stored mutations, per filter, on PGlite and on PostgreSQL, each as a ratio to the raw Fastify ceiling
 * measured in the same run: a bare Fastify route in the same process answering a constant JSON body of the same size,
 * loaded by the same generator. The ratio is what the real route costs (auth, validation, SQL, presenters) on top of
 * what Fastify and the loopback can do at all on this machine; the absolute figures move with the machine.
 *
 * The server runs in this process, as eventloop.ts runs it (PGlite in its worker thread); the load comes from a
 * forked child (load.ts) at a fixed concurrency, with a warm-up before each measured phase. The seed is built once and
 * reused (api-seed.ts).
 */
import { randomBytes } from 'node:crypto'
import { loadavg, tmpdir } from 'node:os'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildServer } from '../src/api/server.ts'
import type { App } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import type { Db, Row, Sql } from '../src/db/db.ts'
import { listMootaMutations, type MootaMutationFilter } from '../src/ledger/moota-list.ts'
import { createLogger } from '../src/shared/log.ts'
import { parseRupiah } from '../src/shared/money.ts'
import { type ApiSeed, FIRST_DAY, openSeedPglite, openSeedPostgres } from './api-seed.ts'
import { addDays } from './data.ts'
import { type LoadResult, startLoadChild } from './load.ts'
import { int, ms, onCleanup, percentile, perSec, type SummaryRow, section, serverVersion } from './util.ts'

export interface ApiOptions {
  /** Stored mutations (default 1,000,000). */
  rows: number
  /** Length of each measured phase; each has a warm-up of a fifth of it (at least 2 s) before. */
  seconds: number
  /** Concurrent HTTP client loops. */
  concurrency: number
  /** PostgreSQL server holding the persistent seed database; PGlite only when unset. */
  databaseUrl: string | undefined
}

const MAX_REQUESTS = 10_000_000
// At a fixed concurrency a slow filter queues: a request may wait for all the others in flight.
const REQUEST_TIMEOUT_MS = 120_000
// A listing statement slower than this gets its plan printed.
const SLOW_STATEMENT_MS = 100

interface Filter {
  name: string
  /** Query string of GET /api/v2/mutation, without `?`. */
  query: string
}

interface Phase {
  name: string
  requests: number
  ok: number
  /** From the first request to the last answer (in-flight requests finish after the measured time). */
  elapsedMs: number
  rps: number
  p50: number
  p99: number
  failures: string[]
}

interface EngineFigures {
  label: string
  version: string
  rows: number
  reused: boolean
  buildMs: number
  bodyBytes: number
  /** The ceiling measured before and after the filters; ratios use their mean (the box may be shared). */
  ceiling: [Phase, Phase]
  ceilingRps: number
  filters: Phase[]
}

/** The filters Moota clients send, with values that exist in the seed. */
async function filtersOf(db: Db, seed: ApiSeed): Promise<Filter[]> {
  const [sample] = await db.query<{ amount: string }>(
    `select amount from mutations where workspace_id = $1 and direction = 'CR' and deleted_at is null
     order by id limit 1 offset (select count(*) / 2 from mutations where workspace_id = $1)`,
    [seed.ws.id],
  )
  const amount = (BigInt(sample!.amount) / 100n).toString()
  const weekFrom = addDays(FIRST_DAY, 180)
  const monthFrom = addDays(FIRST_DAY, 240)
  return [
    { name: 'no filter (page 1)', query: '' },
    { name: 'date range (7 days)', query: `start_date=${weekFrom}&end_date=${addDays(weekFrom, 6)}` },
    { name: 'type=DB', query: 'type=DB' },
    { name: `amount=${amount}`, query: `amount=${amount}` },
    { name: 'description (a name)', query: `description=${encodeURIComponent('budi santoso')}` },
    { name: 'tag=reseller', query: 'tag=reseller' },
    {
      name: 'CR + 30 days + description',
      query: `type=CR&start_date=${monthFrom}&end_date=${addDays(monthFrom, 29)}&description=${encodeURIComponent('siti')}`,
    },
  ]
}

/** The filter the route builds from `query` (for EXPLAIN only; the route does the real parsing). */
function filterOf(query: string): MootaMutationFilter {
  const q = new URLSearchParams(query)
  const opt = (k: string) => q.get(k) ?? undefined
  const amount = opt('amount')
  const tags = opt('tag')?.split(',')
  return {
    ...(opt('type') ? { type: opt('type') as 'CR' | 'DB' } : {}),
    ...(amount ? { amount: parseRupiah(amount) } : {}),
    ...(opt('description') ? { description: opt('description') } : {}),
    ...(opt('start_date') ? { from: opt('start_date') } : {}),
    ...(opt('end_date') ? { to: opt('end_date') } : {}),
    ...(tags ? { tags } : {}),
  }
}

interface Plan {
  statement: string
  ms: number
  lines: string[]
}

/** An Sql that runs every statement and also records the EXPLAIN ANALYZE of the list's count and page statements. */
function explaining(db: Sql, plans: Plan[]): Sql {
  return {
    exec: (text) => db.exec(text),
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []) {
      // The total is counted, or summed from the per-day rollup when the filter allows (ledger/day-counts.ts).
      const counts = /^\s*select count\(\*\)/.test(text) || /\bfrom mutation_day_counts\b/.test(text)
      const kind = counts ? 'count' : /^\s*with page as/.test(text) ? 'page' : null
      if (kind) {
        const rows = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off) ${text}`, params)
        const lines = rows.map((r) => r['QUERY PLAN'])
        const exec = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)?.[1]).find(Boolean)
        plans.push({ statement: kind, ms: Number(exec ?? Number.NaN), lines })
      }
      return db.query<R>(text, params)
    },
  }
}

async function get(baseUrl: string, token: string, path: string): Promise<{ ms: number; text: string }> {
  const t0 = performance.now()
  const res = await fetch(baseUrl + path, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`)
  return { ms: performance.now() - t0, text }
}

/**
 * Each filter alone, unloaded: one HTTP request (after one to warm it), and its statements under EXPLAIN ANALYZE.
 * Returns the HTTP time per filter name.
 */
async function probe(seed: ApiSeed, baseUrl: string, filters: readonly Filter[]): Promise<Map<string, number>> {
  const times = new Map<string, number>()
  console.log('  each filter alone (2nd HTTP request; count and page statements from EXPLAIN ANALYZE):')
  for (const f of filters) {
    const path = `/api/v2/mutation${f.query ? `?${f.query}` : ''}`
    await get(baseUrl, seed.token, path)
    const { ms: took, text } = await get(baseUrl, seed.token, path)
    const total = (JSON.parse(text) as { total: number }).total
    times.set(f.name, took)
    const plans: Plan[] = []
    await listMootaMutations(explaining(seed.db, plans), seed.ws, filterOf(f.query), 1, 10)
    const stmt = plans.map((p) => `${p.statement} ${ms(p.ms)} ms`).join(' · ')
    console.log(`    ${f.name.padEnd(28)} total ${int(total).padStart(9)}  HTTP ${ms(took).padStart(6)} ms  ${stmt}`)
    for (const p of plans)
      if (p.ms > SLOW_STATEMENT_MS) {
        console.log(`      ${p.statement} plan:`)
        for (const line of p.lines) console.log(`      | ${line}`)
      }
  }
  return times
}

async function listen(server: FastifyInstance): Promise<string> {
  await server.listen({ host: '127.0.0.1', port: 0 })
  const address = server.server.address()
  if (!address || typeof address === 'string') throw new Error('server did not listen on TCP')
  return `http://127.0.0.1:${address.port}`
}

function phaseOf(name: string, r: LoadResult): Phase {
  const lat = Object.values(r.latencies).flat()
  const ok = r.statuses['200'] ?? 0
  return {
    name,
    requests: lat.length,
    elapsedMs: r.elapsedMs,
    ok,
    // Only answered requests count towards throughput.
    rps: perSec(ok, r.elapsedMs),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    failures: r.failures,
  }
}

/** Requests per second, with decimals where a filter manages only a few. */
const rate = (x: number) => (x >= 100 ? int(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

/** `x` as a share of the ceiling, with enough digits to tell small ratios apart. */
const ofCeiling = (x: number, ceiling: number) => {
  const r = x / ceiling
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`
}

async function measureEngine(seed: ApiSeed, o: ApiOptions): Promise<EngineFigures> {
  const version = await serverVersion(seed.db)
  section(`api on ${seed.label} ${version}: GET /api/v2/mutation over ${int(o.rows)} mutations`)
  // The box may be shared: say how busy it was when this engine's figures were taken.
  console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`)
  console.log(
    `  seed ${seed.reused ? 'reused' : 'built'}: ${seed.location} (build took ${(seed.buildMs / 1000).toFixed(1)} s)`,
  )
  const app: App = {
    // An explicit environment: the engine is the one opened here, whatever DATABASE_URL says.
    config: loadConfig({
      LUNAS_DATA_DIR: tmpdir(),
      LUNAS_LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      // 8 loops on one token would be throttled within a second: this measures the list, not the limit.
      LUNAS_RATE_LIMIT_PER_MINUTE: '0',
    }),
    db: seed.db,
    log: createLogger('silent'),
    secretKey: randomBytes(32),
  }
  const real = await buildServer(app)
  const closeReal = onCleanup('close API server', () => real.close())
  const baseUrl = await listen(real)
  const filters = await filtersOf(seed.db, seed)

  // The ceiling answers the no-filter page's own body: same bytes, serialised by Fastify on every request too.
  const body: unknown = JSON.parse((await get(baseUrl, seed.token, '/api/v2/mutation')).text)
  const bodyBytes = Buffer.byteLength(JSON.stringify(body))
  const bare = Fastify({ logger: false })
  bare.get('/ceiling', async () => body)
  const closeBare = onCleanup('close ceiling server', () => bare.close())
  const bareUrl = await listen(bare)
  console.log(`  servers: src/api/server.ts buildServer() on ${baseUrl}; bare Fastify ceiling on ${bareUrl}`)

  const alone = await probe(seed, baseUrl, filters)

  const loader = await startLoadChild()
  const stopLoader = onCleanup('stop load generator', () => {
    loader.child.kill()
  })
  const warmMs = Math.max(2, o.seconds / 5) * 1000
  const phase = async (name: string, url: string, path: string, aloneMs = 0): Promise<Phase> => {
    const plan = {
      baseUrl: url,
      targets: [{ token: seed.token, requests: [{ name, path }] }],
      concurrency: o.concurrency,
      maxRequests: MAX_REQUESTS,
      timeoutMs: REQUEST_TIMEOUT_MS,
      keepAlive: true,
    }
    // A loaded warm-up ends only when its in-flight requests do: for a filter whose every request queues behind the
    // others for seconds, the probe's two requests are the warm-up instead.
    if (aloneMs * o.concurrency < warmMs) await loader.run({ ...plan, durationMs: warmMs })
    const p = phaseOf(name, await loader.run({ ...plan, durationMs: o.seconds * 1000 }))
    console.log(
      `    ${name.padEnd(28)} ${rate(p.rps).padStart(7)} req/s  p50 ${ms(p.p50).padStart(6)} ms  p99 ${ms(p.p99).padStart(6)} ms` +
        `  ${String(p.requests).padStart(7)} req in ${(p.elapsedMs / 1000).toFixed(1)} s${p.ok === p.requests ? '' : ` (${p.requests - p.ok} not 200)`}`,
    )
    if (p.failures.length) console.log(`      failures: ${p.failures.join(' | ')}`)
    return p
  }

  console.log(
    `\n  load: ${o.concurrency} loops, ${(warmMs / 1000).toFixed(0)} s warm-up (unless one request alone × ${o.concurrency} ` +
      `exceeds it) + ${o.seconds} s measured per line; in-flight requests finish after it (JSON body ${int(bodyBytes)} bytes):`,
  )
  try {
    const before = await phase('raw Fastify ceiling (before)', bareUrl, '/ceiling')
    const measured: Phase[] = []
    for (const f of filters)
      measured.push(await phase(f.name, baseUrl, `/api/v2/mutation${f.query ? `?${f.query}` : ''}`, alone.get(f.name)))
    const after = await phase('raw Fastify ceiling (after)', bareUrl, '/ceiling')
    const ceilingRps = (before.rps + after.rps) / 2
    console.log(`\n  per filter, as a share of the ceiling (mean of before and after: ${int(ceilingRps)} req/s):`)
    for (const p of measured)
      console.log(`    ${p.name.padEnd(28)} ${ofCeiling(p.rps, ceilingRps).padStart(8)} req/s of the ceiling`)
    return {
      label: seed.label,
      version,
      rows: o.rows,
      reused: seed.reused,
      buildMs: seed.buildMs,
      bodyBytes,
      ceiling: [before, after],
      ceilingRps,
      filters: measured,
    }
  } finally {
    await stopLoader()
    await closeBare()
    await closeReal()
  }
}

export async function runApiScenario(o: ApiOptions): Promise<SummaryRow[]> {
  const figures: EngineFigures[] = []
  const lite = await openSeedPglite(o.rows)
  try {
    figures.push(await measureEngine(lite, o))
  } finally {
    await lite.close()
  }
  if (o.databaseUrl) {
    const server = await openSeedPostgres(o.databaseUrl, o.rows)
    try {
      figures.push(await measureEngine(server, o))
    } finally {
      await server.close()
    }
  } else {
    console.log('\n  DATABASE_URL is not set: PostgreSQL skipped.')
  }
  return summarize(figures)
}

function summarize(figures: readonly EngineFigures[]): SummaryRow[] {
  const rows: SummaryRow[] = []
  for (const f of figures) {
    const s = `api · ${f.label === 'PostgreSQL' ? `PG ${f.version.split(' ')[0]}` : 'PGlite disk'}`
    const line = (p: Phase) =>
      `p50 ${ms(p.p50)} / p99 ${ms(p.p99)} ms${p.ok === p.requests ? '' : `, ${int(p.requests - p.ok)} not 200`}`
    rows.push({
      scenario: s,
      metric: `seed ${int(f.rows)} rows (${f.reused ? 'reused' : 'built'})`,
      value: `${(f.buildMs / 1000).toFixed(1)} s`,
      note: 'build time',
    })
    rows.push({
      scenario: s,
      metric: 'raw Fastify ceiling (mean)',
      value: `${int(f.ceilingRps)} req/s`,
      note: `before ${int(f.ceiling[0].rps)}, after ${int(f.ceiling[1].rps)} req/s; ${line(f.ceiling[0])} (${int(f.bodyBytes)} B body)`,
    })
    for (const p of f.filters)
      rows.push({
        scenario: s,
        metric: `GET /mutation ${p.name}`,
        value: `${rate(p.rps)} req/s`,
        note: `${ofCeiling(p.rps, f.ceilingRps)} ceiling; ${line(p)}`,
      })
  }
  return rows
}
