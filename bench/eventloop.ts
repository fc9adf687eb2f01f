/**
 * ADR 3's claim, measured: with PGlite in its worker thread, the HTTP server's event loop stays responsive
 * (p99 delay ≤ 50 ms) while the ledger ingests and while the API serves filtered lists over a million mutations.
 *
 * Event-loop delay comes from `monitorEventLoopDelay({ resolution: 10 })`. Its samples include the 10 ms sampling
 * interval itself (an idle loop reads p50 ≈ 10 ms, see the idle phase), so judging the raw p99 against 50 ms is the
 * conservative reading. The HTTP client runs in a child process (load.ts) so that only the server's own work lands on
 * the loop being measured.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import { type Account, addAccount } from '../src/accounts/accounts.ts'
import { listMutations, type MutationFilter } from '../src/ledger/list.ts'
import { buildServer } from '../src/api/server.ts'
import type { App } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import type { Db, Row, Sql } from '../src/db/db.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { createLogger } from '../src/shared/log.ts'
import { parseRupiah } from '../src/shared/money.ts'
import { createToken } from '../src/tokens/tokens.ts'
import { createUser } from '../src/users/users.ts'
import type { Workspace } from '../src/workspaces/workspaces.ts'
import { addDays, StatementSource } from './data.ts'
import { type LoadTarget, startLoadChild } from './load.ts'
import { int, mb, ms, openBenchPglite, percentile, perSec, type SummaryRow, section } from './util.ts'

export interface EventLoopOptions {
  /** Mutations to load before measuring (default 1,000,000). */
  rows: number
  /** Length of the ingest and HTTP phases; the idle phase is half as long. */
  seconds: number
  /** Concurrent HTTP client loops. */
  concurrency: number
}

const TARGET_P99_MS = 50
const RESOLUTION_MS = 10
const BATCH_ROWS = 1000
const DAYS_PER_BATCH = 4
const ROWS_PER_DAY = BATCH_ROWS / DAYS_PER_BATCH
// 2 workspaces × 10 accounts; the last of each is a sandbox account, which live lists leave out.
const BANK_TYPES = [
  'bca',
  'bni',
  'bri',
  'mandiriOnline',
  'bsi',
  'bcaSyariah',
  'bniBisnis',
  'briCms',
  'ocbc',
  'sandbox',
]
// The loaded history ends here; phase (i) appends the days after it.
const LAST_LOADED_DAY = '2026-11-15'
const MAX_REQUESTS = 1_000_000

interface Tenant {
  ws: Workspace
  token: string
  accounts: Account[]
  sources: StatementSource[]
}

interface DelayFigures {
  p50: number
  p99: number
  max: number
  count: number
  /** Share of the time the main thread was busy (event-loop utilization, 0–1). */
  busy: number
}

function delayOf(h: IntervalHistogram, busy: number): DelayFigures {
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, count: h.count, busy }
}

/** Runs `work` with the event-loop delay histogram on, and returns both. */
async function withDelay<T>(work: () => Promise<T>): Promise<{ result: T; delay: DelayFigures }> {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  const elu = performance.eventLoopUtilization()
  h.enable()
  try {
    const result = await work()
    h.disable()
    return { result, delay: delayOf(h, performance.eventLoopUtilization(elu).utilization) }
  } finally {
    h.disable()
  }
}

const fmtDelay = (d: DelayFigures) =>
  `event-loop delay p50 ${ms(d.p50)} ms · p99 ${ms(d.p99)} ms · max ${ms(d.max)} ms (${int(d.count)} samples); ` +
  `main thread busy ${Math.round(d.busy * 100)}%`
const verdict = (d: DelayFigures) => (d.p99 <= TARGET_P99_MS ? 'PASS' : 'FAIL')

async function setUpTenants(db: Db, daysPerAccount: number): Promise<Tenant[]> {
  const firstDay = addDays(LAST_LOADED_DAY, 1 - daysPerAccount)
  const tenants: Tenant[] = []
  for (const name of ['bench-a', 'bench-b']) {
    const email = `${name}@lunas.test`
    const { workspace: ws } = await createUser(db, { email, password: 'bench-password', workspace: name })
    const { token } = await createToken(db, {
      email,
      workspace: name,
      scopes: 'mutation_read',
      name: 'bench',
    })
    const accounts: Account[] = []
    for (const [i, bankType] of BANK_TYPES.entries())
      accounts.push(
        await addAccount(db, ws, { bankType, accountNumber: `7700${i}`, holderName: 'PT Maju Jaya' }),
      )
    const sources = accounts.map((_, i) => new StatementSource(tenants.length * 100 + i + 1, firstDay))
    tenants.push({ ws, token, accounts, sources })
  }
  return tenants
}

/** Ingests the next batch (4 whole days) of account `n`, counting round-robin over every tenant's accounts. */
async function ingestNext(db: Db, tenants: readonly Tenant[], n: number): Promise<number> {
  const perTenant = tenants[0]!.accounts.length
  const t = tenants[Math.floor(n / perTenant) % tenants.length]!
  const i = n % perTenant
  const r = await ingest(db, t.ws, {
    accountId: t.accounts[i]!.publicId,
    source: 'mt940',
    rows: t.sources[i]!.days(DAYS_PER_BATCH, ROWS_PER_DAY),
  })
  return r.inserted.length
}

/** The filtered lists clients ask for, with values that exist in the loaded data. */
async function listRequests(db: Db, t: Tenant, days: number): Promise<{ name: string; path: string }[]> {
  const [sample] = await db.query<{ amount: string }>(
    "select amount from mutations where workspace_id = $1 and direction = 'CR' order by id limit 1 offset 1234",
    [t.ws.id],
  )
  const amount = (BigInt(sample!.amount) / 100n).toString()
  // An invoice number that exists: a handful of matches spread over the whole history, the worst case of `q`.
  const [invoice] = await db.query<{ ref: string }>(
    `select substring(description from 'INV/2026/[0-9]+') as ref from mutations
     where workspace_id = $1 and description like '%INV/2026/%' order by id limit 1 offset 777`,
    [t.ws.id],
  )
  const mid = addDays(LAST_LOADED_DAY, -Math.floor(days / 2))
  const week = `from=${addDays(mid, -6)}&to=${mid}`
  const live = t.accounts[0]!.publicId
  const sandbox = t.accounts[t.accounts.length - 1]!.publicId
  return [
    { name: 'newest page', path: '/v1/mutations' },
    { name: 'account', path: `/v1/mutations?account=${live}` },
    { name: 'type=DB', path: '/v1/mutations?type=DB' },
    { name: '7-day range', path: `/v1/mutations?${week}` },
    { name: 'amount', path: `/v1/mutations?amount=${amount}` },
    { name: 'q name', path: `/v1/mutations?q=${encodeURIComponent('siti aminah')}` },
    { name: 'q invoice', path: `/v1/mutations?q=${encodeURIComponent(invoice?.ref ?? 'INV/2026/0000123')}` },
    { name: 'account+DB+range', path: `/v1/mutations?account=${live}&type=DB&${week}&limit=100` },
    { name: 'sandbox account', path: `/v1/mutations?account=${sandbox}&include_sandbox=true` },
  ]
}

async function fetchJson(
  baseUrl: string,
  token: string,
  path: string,
): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now()
  const res = await fetch(baseUrl + path, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  })
  const text = await res.text()
  const took = performance.now() - t0
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`)
  return { ms: took, body: JSON.parse(text) }
}

/**
 * The query plan of a slow filter, captured by handing the list function's own SQL to EXPLAIN ANALYZE: an Sql whose
 * listing statement returns no rows but records the plan.
 */
function explaining(db: Db, plan: string[]): Sql {
  return {
    exec: (text) => db.exec(text),
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []) {
      if (!/^\s*select m\.id/.test(text)) return db.query<R>(text, params)
      const rows = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off) ${text}`, params)
      plan.push(...rows.map((r) => r['QUERY PLAN']))
      return []
    },
  }
}

interface Probe {
  name: string
  rows: number
  /** Median HTTP time, one request at a time. */
  median: number
  /** The listing statement's own execution time (EXPLAIN ANALYZE), when captured. */
  dbMs: number | null
  /** How the plan reads `mutations`, e.g. "Seq Scan on mutations". */
  access: string
}

// How a plan line reads the mutations table: the scan node and, for bitmap scans, the index behind it.
const MUTATIONS_ACCESS =
  /((?:Parallel )?(?:Seq Scan|Index Scan(?: Backward)?|Index Only Scan(?: Backward)?)(?: using \w+)? on mutations\b|Bitmap Index Scan on mutations_\w+)/

// A listing statement slower than this alone gets its whole plan printed.
const SLOW_STATEMENT_MS = 20

/**
 * Each filter alone, unloaded: five HTTP requests (median), then the list's SQL under EXPLAIN ANALYZE, so the HTTP
 * time splits into statement time and everything around it (auth, JSON, the worker hop).
 */
async function probeFilters(
  app: App,
  baseUrl: string,
  t: Tenant,
  requests: LoadTarget['requests'],
): Promise<Probe[]> {
  const out: Probe[] = []
  console.log('  each filter alone (median of 5 HTTP requests; statement time from EXPLAIN ANALYZE):')
  for (const r of requests) {
    const times: number[] = []
    let rows = 0
    for (let i = 0; i < 5; i++) {
      const { ms: took, body } = await fetchJson(baseUrl, t.token, r.path)
      times.push(took)
      rows = (body as { data: unknown[] }).data.length
    }
    const plan: string[] = []
    try {
      await listMutations(explaining(app.db, plan), t.ws, filterOf(r.path), app.secretKey)
    } catch (err) {
      plan.push(`(no plan: ${(err as Error).message})`)
    }
    const exec = plan.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)?.[1]).find(Boolean)
    const access = [...new Set(plan.flatMap((l) => MUTATIONS_ACCESS.exec(l)?.[1] ?? []))].join(' + ')
    const probe = {
      name: r.name,
      rows,
      median: percentile(times, 50),
      dbMs: exec ? Number(exec) : null,
      access,
    }
    out.push(probe)
    console.log(
      `    ${r.name.padEnd(18)} ${String(rows).padStart(3)} rows  HTTP median ${ms(probe.median).padStart(6)} ms  ` +
        `statement ${probe.dbMs === null ? '?' : ms(probe.dbMs).padStart(6)} ms  ${access || '(plan not captured)'}`,
    )
    if (probe.dbMs !== null && probe.dbMs > SLOW_STATEMENT_MS)
      for (const line of plan) console.log(`        | ${line}`)
  }
  return out
}

/** The filter the route would build from `path`'s query string (for EXPLAIN only; the route does the real parsing). */
function filterOf(path: string): MutationFilter {
  const q = new URL(path, 'http://x').searchParams
  const opt = (k: string) => q.get(k) ?? undefined
  const amount = opt('amount')
  return {
    account: opt('account'),
    type: opt('type') as MutationFilter['type'],
    from: opt('from'),
    to: opt('to'),
    amount: amount === undefined ? undefined : parseRupiah(amount),
    q: opt('q'),
    includeSandbox: q.get('include_sandbox') === 'true',
    limit: Number(q.get('limit') ?? 50),
    cursor: opt('cursor'),
  }
}

export async function runEventLoopScenario(o: EventLoopOptions): Promise<SummaryRow[]> {
  const bench = await openBenchPglite('eventloop')
  const { db } = bench
  const app: App = {
    // An explicit environment: this scenario is about the embedded engine whatever DATABASE_URL says.
    config: loadConfig({
      LUNAS_DATA_DIR: dirname(bench.dir!),
      LUNAS_LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      // 8 loops on one token would be throttled within a second: this scenario measures the engine, not the limit.
      LUNAS_RATE_LIMIT_PER_MINUTE: '0',
    }),
    db,
    log: createLogger('silent'),
    secretKey: randomBytes(32),
  }
  let server: Awaited<ReturnType<typeof buildServer>> | null = null
  let child: ChildProcess | null = null
  try {
    const accountsTotal = 2 * BANK_TYPES.length
    const batchesPerAccount = Math.max(1, Math.round(o.rows / BATCH_ROWS / accountsTotal))
    const days = batchesPerAccount * DAYS_PER_BATCH
    section(
      `eventloop on PGlite (disk): load ${int(batchesPerAccount * accountsTotal * BATCH_ROWS)} mutations, then measure`,
    )
    const tenants = await setUpTenants(db, days)

    // The fast path of a bulk load: ingest() itself, 1000-row batches of whole days, round-robin over the accounts.
    const total = batchesPerAccount * accountsTotal
    let loaded = 0
    const load = await withDelay(async () => {
      const t0 = performance.now()
      for (let b = 0; b < total; b++) {
        loaded += await ingestNext(db, tenants, b)
        if ((b + 1) % Math.max(1, Math.round(total / 10)) === 0)
          console.log(
            `  loaded ${int(loaded).padStart(9)} · ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          )
      }
      return performance.now() - t0
    })
    const loadRate = perSec(loaded, load.result)
    console.log(
      `  load: ${int(loaded)} rows in ${(load.result / 1000).toFixed(1)} s = ${int(loadRate)} rows/s`,
    )
    console.log(`  during load: ${fmtDelay(load.delay)}`)
    await db.exec('analyze')
    const rssLoaded = process.memoryUsage().rss

    // (i) ingesting further days, as the scheduler does.
    const batchTimes: number[] = []
    const phase1 = await withDelay(async () => {
      const t0 = performance.now()
      let rows = 0
      for (let b = total; performance.now() - t0 < o.seconds * 1000; b++) {
        const s = performance.now()
        rows += await ingestNext(db, tenants, b)
        batchTimes.push(performance.now() - s)
      }
      return { rows, elapsed: performance.now() - t0 }
    })
    const p1Rate = perSec(phase1.result.rows, phase1.result.elapsed)
    console.log(
      `\n  (i) ingesting: ${int(phase1.result.rows)} rows in ${(phase1.result.elapsed / 1000).toFixed(1)} s = ${int(p1Rate)} rows/s; ` +
        `batch p50 ${ms(percentile(batchTimes, 50))} ms p99 ${ms(percentile(batchTimes, 99))} ms`,
    )
    console.log(`      ${fmtDelay(phase1.delay)}  → ${verdict(phase1.delay)} (p99 ≤ ${TARGET_P99_MS} ms)`)

    // (ii) serving filtered lists over HTTP.
    server = await buildServer(app)
    await server.listen({ host: '127.0.0.1', port: 0 })
    const address = server.server.address()
    if (!address || typeof address === 'string') throw new Error('server did not listen on TCP')
    const baseUrl = `http://127.0.0.1:${address.port}`
    console.log(`\n  (ii) server: src/api/server.ts buildServer() on ${baseUrl}`)
    const targets: LoadTarget[] = []
    for (const t of tenants) {
      const requests = await listRequests(db, t, days)
      const first = await fetchJson(baseUrl, t.token, '/v1/mutations')
      const cursor = (first.body as { next_cursor: string | null }).next_cursor
      if (cursor)
        requests.push({ name: 'page 2 (cursor)', path: `/v1/mutations?cursor=${encodeURIComponent(cursor)}` })
      targets.push({ token: t.token, requests })
    }
    const probes = await probeFilters(app, baseUrl, tenants[0]!, targets[0]!.requests)

    const loader = await startLoadChild()
    child = loader.child
    const phase2 = await withDelay(() =>
      loader.run({
        baseUrl,
        targets,
        concurrency: o.concurrency,
        durationMs: o.seconds * 1000,
        maxRequests: MAX_REQUESTS,
      }),
    )
    child = null
    const lat = Object.values(phase2.result.latencies).flat()
    const ok = phase2.result.statuses['200'] ?? 0
    const reqRate = perSec(lat.length, phase2.result.elapsedMs)
    console.log(
      `  ${o.concurrency} loops × ${o.seconds} s: ${int(lat.length)} requests (${int(ok)} × 200) = ${int(reqRate)} req/s; ` +
        `latency p50 ${ms(percentile(lat, 50))} ms p99 ${ms(percentile(lat, 99))} ms max ${ms(Math.max(...lat))} ms`,
    )
    for (const [name, l] of Object.entries(phase2.result.latencies))
      console.log(
        `    ${name.padEnd(18)} ${String(l.length).padStart(6)} req  p50 ${ms(percentile(l, 50)).padStart(6)} ms  p99 ${ms(percentile(l, 99)).padStart(6)} ms`,
      )
    if (phase2.result.failures.length) console.log(`    failures: ${phase2.result.failures.join(' | ')}`)
    console.log(`      ${fmtDelay(phase2.delay)}  → ${verdict(phase2.delay)} (p99 ≤ ${TARGET_P99_MS} ms)`)

    // (iii) idle: the server listening, nothing to do. Shows what the 10 ms sampling interval alone reads as.
    const idleMs = Math.max(3, o.seconds / 2) * 1000
    const idle = await withDelay(() => new Promise((resolve) => setTimeout(resolve, idleMs)))
    console.log(`\n  (iii) idle ${idleMs / 1000} s: ${fmtDelay(idle.delay)}`)
    const rssEnd = process.memoryUsage().rss
    console.log(`  RSS: ${mb(rssLoaded)} after the load, ${mb(rssEnd)} at the end`)

    const s = 'eventloop · PGlite disk'
    const slowest = [...probes].sort((a, b) => b.median - a.median)[0]!
    return [
      {
        scenario: s,
        metric: `load ${int(loaded)} rows via ingest()`,
        value: `${int(loadRate)} rows/s`,
        note: `${(load.result / 1000).toFixed(1)} s`,
      },
      {
        scenario: s,
        metric: '(i) ingest: loop delay p99 / max',
        value: `${ms(phase1.delay.p99)} / ${ms(phase1.delay.max)} ms`,
        note: `${verdict(phase1.delay)} (≤ ${TARGET_P99_MS} ms) at ${int(p1Rate)} rows/s`,
      },
      {
        scenario: s,
        metric: '(ii) HTTP lists: loop delay p99 / max',
        value: `${ms(phase2.delay.p99)} / ${ms(phase2.delay.max)} ms`,
        note: `${verdict(phase2.delay)} (≤ ${TARGET_P99_MS} ms)`,
      },
      {
        scenario: s,
        metric: '(ii) HTTP lists: req/s, p50 / p99',
        value: `${int(reqRate)} req/s`,
        note: `${ms(percentile(lat, 50))} / ${ms(percentile(lat, 99))} ms, ${int(lat.length - ok)} non-200`,
      },
      {
        scenario: s,
        metric: '(ii) slowest filter alone (median)',
        value: `${ms(slowest.median)} ms`,
        note: `${slowest.name}; statement ${slowest.dbMs === null ? '?' : ms(slowest.dbMs)} ms via ${slowest.access || '?'}`,
      },
      {
        scenario: s,
        metric: '(iii) idle: loop delay p50 / p99',
        value: `${ms(idle.delay.p50)} / ${ms(idle.delay.p99)} ms`,
        note: 'sampling interval is 10 ms',
      },
      { scenario: s, metric: 'RSS after load / at end', value: `${mb(rssLoaded)} / ${mb(rssEnd)}` },
    ]
  } finally {
    child?.kill()
    await server?.close()
    await bench.close()
  }
}
