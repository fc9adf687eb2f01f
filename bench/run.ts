/**
 * `npm run bench [-- --only ingest|eventloop|apilog|api|webhooks] [--rows N] [--seconds S] [--concurrency C] [--rate R] [--redis-fsync]`
 *
 * Runs the scenarios one after another in this process, prints each one's figures as it goes and a summary table at
 * the end. Never run by CI or tests: the figures depend on the machine, so they belong in notes, not in assertions.
 * Everything it creates (temp data dirs, a throw-away PostgreSQL database, the HTTP servers and their load child,
 * webhook receivers, BullMQ's Redis keys) is removed before it exits, also on Ctrl-C — except the `api` scenario's seed, which is built once and kept on purpose
 * (bench/.cache/, and a `lunas_bench_api_<rows>_v<n>` database on the DATABASE_URL server).
 */
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { int, mb, runCleanups, type SummaryRow } from './util.ts'

const SCENARIOS = ['ingest', 'eventloop', 'apilog', 'api', 'webhooks'] as const
type Scenario = (typeof SCENARIOS)[number]

const USAGE = `usage: npm run bench -- [--only ${SCENARIOS.join('|')}] [--rows N] [--seconds S] [--concurrency C]
                       [--rate R] [--redis-fsync]
  --rows N         ingest: N rows per method (default 100000); eventloop: loads 10×N mutations (default 1000000);
                   api: N stored mutations with --only api (default 1000000), 10×N in a full run like eventloop
  --seconds S      eventloop: length of the ingest and HTTP phases; api: each measured phase, after a warm-up of
                   S/5 (at least 2 s) (default 10); apilog: each of its four phases (default 3); webhooks: each phase's
                   offered load (default 10)
  --concurrency C  eventloop, apilog, api: concurrent HTTP client loops (default 8); webhooks: requests in flight,
                   Lunas' LUNAS_WEBHOOK_CONCURRENCY and the BullMQ Worker's concurrency alike (default 16)
  --rate R         webhooks: mutations/s offered in the steady throughput phases, each to 10 endpoints (default 15,
                   below the delivery capacity); the latency phase offers 50/s to one endpoint; the backlog phases
                   store 30×S mutations first
  --redis-fsync    webhooks: run BullMQ a second time with Redis set to appendonly yes + appendfsync always (the
                   Redis at REDIS_URL is reconfigured for those phases and put back as it was afterwards)
  DATABASE_URL     when set, ingest also runs on that PostgreSQL server (in a throw-away database), and api on a
                   database lunas_bench_api_<rows>_v<n> there, built once and reused; webhooks runs on a throw-away
                   database there and compares with BullMQ on Redis (REDIS_URL, default redis://127.0.0.1:6379;
                   a queue prefix unique to the run, obliterated afterwards)
  api keeps its PGlite seed in bench/.cache/api-pglite-<rows>-v<n>/ (delete it, or drop the database, to rebuild)`

function positive(name: string, value: string | undefined, def: number): number {
  if (value === undefined) return def
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer\n${USAGE}`)
    process.exit(2)
  }
  return n
}

function options() {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse()
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  const v = parsed.values
  if (v.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (v.only !== undefined && !(SCENARIOS as readonly string[]).includes(v.only)) {
    console.error(`unknown scenario "${v.only}"\n${USAGE}`)
    process.exit(2)
  }
  const rows = positive('rows', v.rows, 100_000)
  return {
    only: v.only as Scenario | undefined,
    rows,
    // 2,000 calls at full size; fewer on a scaled-down run, but enough to average over.
    calls: Math.min(2000, Math.max(100, Math.round(rows / 50))),
    loadRows: rows * 10,
    // `--only api --rows 20000` means 20,000 stored mutations; a full run sizes it as eventloop's load.
    apiRows: v.only === 'api' ? positive('rows', v.rows, 1_000_000) : rows * 10,
    seconds: positive('seconds', v.seconds, 10),
    // Four phases: short by default, the ratio settles within seconds.
    apilogSeconds: positive('seconds', v.seconds, 3),
    concurrency: positive('concurrency', v.concurrency, 8),
    webhookConcurrency: positive('concurrency', v.concurrency, 16),
    rate: positive('rate', v.rate, 15),
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    redisFsync: v['redis-fsync'] === true,
    databaseUrl: process.env.DATABASE_URL || undefined,
  }
}

function parse() {
  return parseArgs({
    options: {
      only: { type: 'string' },
      rows: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'redis-fsync': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

function printSummary(rows: readonly SummaryRow[]): void {
  const w = (k: keyof SummaryRow) => Math.max(...rows.map((r) => (r[k] ?? '').length), k.length)
  const [ws, wm, wv] = [w('scenario'), w('metric'), w('value')]
  const line = (s: string, m: string, v: string, n: string) =>
    console.log(`  ${s.padEnd(ws)}  ${m.padEnd(wm)}  ${v.padStart(wv)}  ${n}`.trimEnd())
  console.log('\n== summary '.padEnd(104, '='))
  line('scenario', 'metric', 'value', 'ratio / verdict')
  line('-'.repeat(ws), '-'.repeat(wm), '-'.repeat(wv), '-'.repeat(15))
  for (const r of rows) line(r.scenario, r.metric, r.value, r.note ?? '')
}

const loadLine = () =>
  `${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')} (1 / 5 / 15 min, ${cpus().length} cores)`

async function main(): Promise<void> {
  const o = options()
  const started = performance.now()
  const pgTarget = o.databaseUrl ? new URL(o.databaseUrl) : null
  console.log(
    `Lunas bench · Node ${process.version} · ${cpus().length} cores · ${mb(totalmem())} RAM · ${new Date().toISOString()}`,
  )
  // Other work on the box skews every figure: say how busy it was, before and after.
  console.log(`load average at start ${loadLine()}`)
  console.log(
    `rows ${int(o.rows)} · one-by-one calls ${int(o.calls)} · eventloop load ${int(o.loadRows)} · api rows ${int(o.apiRows)} · ` +
      `phases ${o.seconds} s (apilog ${o.apilogSeconds} s) · ` +
      `HTTP loops ${o.concurrency} · PostgreSQL ${pgTarget ? `${pgTarget.host}${pgTarget.pathname}` : 'not set'}`,
  )

  const summary: SummaryRow[] = []
  // Scenarios are imported only when they run, so `--only ingest` does not load the HTTP server.
  if (!o.only || o.only === 'ingest') {
    const { runIngestScenario } = await import('./ingest.ts')
    summary.push(...(await runIngestScenario({ rows: o.rows, calls: o.calls, databaseUrl: o.databaseUrl })))
  }
  if (!o.only || o.only === 'eventloop') {
    const { runEventLoopScenario } = await import('./eventloop.ts')
    summary.push(
      ...(await runEventLoopScenario({ rows: o.loadRows, seconds: o.seconds, concurrency: o.concurrency })),
    )
  }

  if (!o.only || o.only === 'apilog') {
    const { runApiLogScenario } = await import('./apilog.ts')
    summary.push(...(await runApiLogScenario({ seconds: o.apilogSeconds, concurrency: o.concurrency })))
  }
  if (!o.only || o.only === 'api') {
    const { runApiScenario } = await import('./api.ts')
    summary.push(
      ...(await runApiScenario({
        rows: o.apiRows,
        seconds: o.seconds,
        concurrency: o.concurrency,
        databaseUrl: o.databaseUrl,
      })),
    )
  }

  if (!o.only || o.only === 'webhooks') {
    const { runWebhooksScenario } = await import('./webhooks.ts')
    summary.push(
      ...(await runWebhooksScenario({
        seconds: o.seconds,
        concurrency: o.webhookConcurrency,
        latencyRate: 50,
        throughputRate: o.rate,
        databaseUrl: o.databaseUrl,
        redisUrl: o.redisUrl,
        redisFsync: o.redisFsync,
      })),
    )
  }

  printSummary(summary)
  console.log(`\nload average at end ${loadLine()}`)
  console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`)
    void runCleanups().finally(() => process.exit(130))
  })
}

try {
  await main()
  await runCleanups()
  process.exit(0)
} catch (err) {
  console.error(err)
  await runCleanups()
  process.exit(1)
}
