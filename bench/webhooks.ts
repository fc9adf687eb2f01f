/**
 * Webhook delivery end to end: a mutation is stored by the real `ingest()` (which fans it out in its transaction and
 * wakes the in-process delivery worker after commit), the real worker (`startWebhooks`) claims, signs and POSTs it,
 * and receivers in another process (receiver.ts) note when each `mutation_id` arrived. Latency is arrival minus the
 * moment `ingest()` returned (after commit); both clocks are this machine's.
 *
 * Phases, on PGlite always and on PostgreSQL when DATABASE_URL is set:
 * - latency: one endpoint, a steady offered rate of one-mutation ingests;
 * - backlog: `30 × seconds` mutations stored first, then the worker is started: the drain rate to ten endpoints is the
 *   delivery capacity, once alone and once with an eleventh endpoint that never answers (the sender's timeout ends
 *   each of its requests);
 * - throughput: ten healthy endpoints at a steady rate below that capacity, alone and with the hanging eleventh, for
 *   the healthy endpoints' p99;
 * and on PostgreSQL the same phases through BullMQ on Redis: the mutation is stored by `ingest()` in a workspace
 * without endpoints, then one job per endpoint is added to a BullMQ queue (the dual write a Node team would write), and
 * a BullMQ Worker with the same concurrency signs the same body with the same code and POSTs it with the same undici
 * sender to the same receivers.
 */
import { randomBytes } from 'node:crypto'
import { type Account, addAccount } from '../src/accounts/accounts.ts'
import type { App } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import type { Db } from '../src/db/db.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { mootaMutationsByIds } from '../src/ledger/moota-list.ts'
import { createLogger } from '../src/shared/log.ts'
import { VERSION } from '../src/shared/version.ts'
import { createEndpoint, deleteEndpoint } from '../src/webhooks/endpoints.ts'
import { webhookBody } from '../src/webhooks/payload.ts'
import { startWebhooks } from '../src/webhooks/runner.ts'
import { createWebhookAgent, send } from '../src/webhooks/send.ts'
import { webhookHeaders } from '../src/webhooks/sign.ts'
import { ensureWorkspace, type Workspace } from '../src/workspaces/workspaces.ts'
import { makeRng, referencedRow } from './data.ts'
import { type Arrival, type Collected, nowMs, type ReceiverSpec, startReceivers } from './receiver.ts'
import {
  type BenchDb,
  int,
  ms,
  onCleanup,
  openBenchPglite,
  openBenchPostgres,
  percentile,
  ratio,
  type SummaryRow,
  section,
  serverVersion,
  tempDir,
} from './util.ts'

export interface WebhooksOptions {
  /** Length of each phase's offered load (default 10). */
  seconds: number
  /** Requests in flight: LUNAS_WEBHOOK_CONCURRENCY on Lunas' side, the BullMQ Worker's concurrency on the other. */
  concurrency: number
  /** Offered mutations per second in the latency phase (one endpoint). */
  latencyRate: number
  /**
   * Offered mutations per second in the steady throughput phases (each goes to ten endpoints); below the delivery
   * capacity, so both runs get the same flow and only the hanging endpoint differs.
   */
  throughputRate: number
  databaseUrl: string | undefined
  redisUrl: string
  /** Also run BullMQ with Redis set to `appendonly yes`, `appendfsync always` (restored afterwards). */
  redisFsync: boolean
}

const HEALTHY = 10
/** The sender's whole-request timeout on both sides; the hanging endpoint costs a slot this long per request. */
const TIMEOUT_MS = 3000
const KEY = Buffer.alloc(32, 7)

type Side = 'Lunas' | 'BullMQ'

interface PhaseSpec {
  name: 'latency' | 'backlog' | 'backlog + hang' | 'throughput' | 'throughput + hang'
  endpoints: number
  hang: boolean
  rate: number
  /**
   * Store every mutation first with no worker running, then start it: the drain rate is pure delivery capacity, and
   * latency is counted from the start of the worker, not from the store.
   */
  backlog?: number
}

interface PhaseResult {
  spec: PhaseSpec
  side: Side
  engine: string
  mutations: number
  /** Ingest loop, first call to last return. */
  offerMs: number
  expected: number
  delivered: number
  /** First store to last arrival at a healthy endpoint. */
  spanMs: number
  latencies: number[]
  rejected: number
  duplicates: number
  /** Requests the hanging receiver got until the drain ended (Lunas caps them per endpoint; BullMQ does not). */
  hangRequests?: number
}

const sleep = (t: number) => new Promise<void>((resolve) => setTimeout(resolve, t))

/** Calls `fn` `rate` times a second for `seconds`, one at a time; a call that runs late shifts no later ones. */
async function paced(rate: number, seconds: number, fn: (i: number) => Promise<void>): Promise<number> {
  const n = Math.max(1, Math.round(rate * seconds))
  return calls(n, rate, fn)
}

/** `n` calls of `fn`, one at a time, at most `rate` a second (Infinity: back to back). */
async function calls(n: number, rate: number, fn: (i: number) => Promise<void>): Promise<number> {
  const start = nowMs()
  for (let i = 0; i < n; i++) {
    const wait = Number.isFinite(rate) ? start + (i * 1000) / rate - nowMs() : 0
    if (wait > 1) await sleep(wait)
    await fn(i)
  }
  return nowMs() - start
}

interface Target {
  db: Db
  engine: string
  ws: Workspace
  account: Account
  rng: () => number
  serial: number
}

async function target(db: Db, engine: string, name: string): Promise<Target> {
  const ws = await ensureWorkspace(db, name)
  const account = await addAccount(db, ws, {
    bankType: 'bca',
    accountNumber: String(8_000_000 + Math.floor(Math.random() * 1_000_000)),
    holderName: 'PT Maju Jaya',
  })
  return { db, engine, ws, account, rng: makeRng(11), serial: 0 }
}

/** Stores one new mutation through the real ingest(); returns its public id and when the commit was seen. */
async function storeOne(t: Target): Promise<{ id: string; internalId: string; at: number }> {
  const i = t.serial++
  const r = await ingest(t.db, t.ws, {
    accountId: t.account.publicId,
    source: 'mt940',
    rows: [referencedRow(t.rng, i, new Date(Date.now() - 1000))],
  })
  const at = nowMs()
  const m = r.inserted[0]
  if (!m) throw new Error(`mutation ${i} was not stored (duplicate?)`)
  return { id: m.publicId, internalId: m.id, at }
}

const secretOf = (i: number) => `bench-secret-${i}`

function receiverSpecs(spec: PhaseSpec): ReceiverSpec[] {
  const list: ReceiverSpec[] = Array.from({ length: spec.endpoints }, (_, i) => ({ secret: secretOf(i) }))
  if (spec.hang) list.push({ secret: secretOf(spec.endpoints), hang: true })
  return list
}

/**
 * Collects arrivals until every healthy endpoint has every mutation, or the drain cap passes (the figures then say
 * how many were missing).
 */
async function drain(
  collect: () => Promise<Collected>,
  expected: number,
  capMs: number,
): Promise<Collected> {
  const all: Collected = { arrivals: [], rejected: 0, requests: 0, duplicates: 0, hung: 0 }
  const deadline = nowMs() + capMs
  for (;;) {
    const c = await collect()
    all.arrivals.push(...c.arrivals)
    all.rejected += c.rejected
    all.requests += c.requests
    all.duplicates += c.duplicates
    all.hung += c.hung
    if (all.arrivals.length >= expected || nowMs() > deadline) break
    await sleep(100)
  }
  return all
}

function result(
  side: Side,
  engine: string,
  spec: PhaseSpec,
  stored: Map<string, number>,
  offerMs: number,
  arrivals: Arrival[],
  c: { rejected: number; duplicates: number },
  healthy: number,
): PhaseResult {
  const first = Math.min(...stored.values())
  let last = first
  const latencies: number[] = []
  for (const [index, id, at] of arrivals) {
    if (index >= healthy) continue
    const t = stored.get(id)
    if (t === undefined) continue
    latencies.push(at - t)
    last = Math.max(last, at)
  }
  return {
    spec,
    side,
    engine,
    mutations: stored.size,
    offerMs,
    expected: stored.size * healthy,
    delivered: latencies.length,
    spanMs: last - first,
    latencies,
    rejected: c.rejected,
    duplicates: c.duplicates,
  }
}

function drainCap(o: WebhooksOptions): number {
  return Math.max(30_000, o.seconds * 6000)
}

async function lunasPhase(bench: BenchDb, dataDir: string, spec: PhaseSpec, o: WebhooksOptions): Promise<PhaseResult> {
  const { db } = bench
  const t = await target(db, bench.label, `bench-wh-lunas-${randomBytes(4).toString('hex')}`)
  const receivers = await startReceivers(receiverSpecs(spec))
  const stopReceivers = onCleanup('stop webhook receivers', () => void receivers.child.kill())
  const endpoints = []
  for (const [i, port] of receivers.ports.entries())
    endpoints.push(
      await createEndpoint(db, t.ws, KEY, { url: `http://127.0.0.1:${port}/moota`, secret: secretOf(i) }),
    )
  const app: App = {
    config: loadConfig({
      LUNAS_DATA_DIR: dataDir,
      LUNAS_LOG_LEVEL: 'silent',
      LUNAS_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
      LUNAS_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      LUNAS_WEBHOOK_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
      LUNAS_WEBHOOK_LEASE_SECONDS: String(Math.ceil(TIMEOUT_MS / 1000) + 7),
      LUNAS_WEBHOOK_CONCURRENCY: String(o.concurrency),
    }),
    db,
    log: createLogger('silent'),
    secretKey: KEY,
  }
  let hooks = spec.backlog ? null : startWebhooks(app, 'bench')
  const stopHooks = onCleanup('stop webhook worker', () => hooks?.stop())
  try {
    const stored = new Map<string, number>()
    const store = async () => {
      const m = await storeOne(t)
      stored.set(m.id, m.at)
    }
    let offerMs: number
    if (spec.backlog) {
      offerMs = await calls(spec.backlog, Infinity, store)
      const released = nowMs()
      for (const id of stored.keys()) stored.set(id, released)
      hooks = startWebhooks(app, 'bench')
    } else offerMs = await paced(spec.rate, o.seconds, store)
    const c = await drain(receivers.collect, stored.size * spec.endpoints, drainCap(o))
    const r = result('Lunas', bench.label, spec, stored, offerMs, c.arrivals, c, spec.endpoints)
    if (spec.hang) r.hangRequests = c.hung
    return r
  } finally {
    await stopHooks()
    for (const e of endpoints) await deleteEndpoint(db, t.ws, e.publicId)
    await stopReceivers()
  }
}

interface JobData {
  url: string
  body: string
  secret: string
  endpointId: string
  workspaceId: string
  seq: number
}

async function bullmqPhase(
  bench: BenchDb,
  spec: PhaseSpec,
  o: WebhooksOptions,
  durability: string,
): Promise<PhaseResult> {
  const { Queue, Worker } = await import('bullmq')
  const { db } = bench
  const t = await target(db, bench.label, `bench-wh-bullmq-${randomBytes(4).toString('hex')}`)
  const receivers = await startReceivers(receiverSpecs(spec))
  const stopReceivers = onCleanup('stop webhook receivers', () => void receivers.child.kill())
  const redis = new URL(o.redisUrl)
  const connection = { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null }
  const prefix = `lunasbench${randomBytes(4).toString('hex')}`
  const name = 'webhooks'
  const queue = new Queue<JobData>(name, { connection, prefix })
  const agent = createWebhookAgent({ allow: ['127.0.0.0/8'], connectTimeoutMs: TIMEOUT_MS })
  const worker = new Worker<JobData>(
    name,
    async (job) => {
      const d = job.data
      const body = Buffer.from(d.body, 'utf8')
      const headers = webhookHeaders({
        endpointId: d.endpointId,
        workspaceId: d.workspaceId,
        secret: d.secret,
        deliveryId: `msg_${job.id}`,
        timestamp: Math.floor(Date.now() / 1000),
        sequence: d.seq,
        body,
        version: VERSION,
      })
      const res = await send(d.url, { agent, headers, body, timeoutMs: TIMEOUT_MS })
      if (res.error || res.status === null || res.status < 200 || res.status > 299)
        throw new Error(res.error ? `${res.error.kind}: ${res.error.message}` : `HTTP ${res.status}`)
    },
    { connection, prefix, concurrency: o.concurrency, autorun: !spec.backlog },
  )
  // Swallow job failures: the hanging endpoint's timeouts are expected; BullMQ retries them.
  worker.on('failed', () => {})
  worker.on('error', () => {})
  const stopQueue = onCleanup(`obliterate BullMQ queue ${prefix}:${name}`, async () => {
    await worker.close(true)
    await queue.obliterate({ force: true })
    await queue.close()
    await agent.close()
  })
  try {
    await worker.waitUntilReady()
    const urls = receivers.ports.map((port) => `http://127.0.0.1:${port}/moota`)
    const stored = new Map<string, number>()
    const store = async () => {
      const m = await storeOne(t)
      stored.set(m.id, m.at)
      // Rendered by the same presenter and serialiser as Lunas' fan-out, after the commit (a second write follows).
      const body = webhookBody(await mootaMutationsByIds(db, t.ws, [m.internalId])).toString('utf8')
      await queue.addBulk(
        urls.map((url, i) => ({
          name: 'deliver',
          data: { url, body, secret: secretOf(i), endpointId: `ep${i}`, workspaceId: t.ws.publicId, seq: i },
          // Retries as a Node team would configure them; the first attempt is what the figures measure.
          opts: { attempts: 10, backoff: { type: 'exponential', delay: 5000 } },
        })),
      )
    }
    let offerMs: number
    if (spec.backlog) {
      offerMs = await calls(spec.backlog, Infinity, store)
      const released = nowMs()
      for (const id of stored.keys()) stored.set(id, released)
      void worker.run()
    } else offerMs = await paced(spec.rate, o.seconds, store)
    const c = await drain(receivers.collect, stored.size * spec.endpoints, drainCap(o))
    const r = result('BullMQ', `${bench.label} + Redis (${durability})`, spec, stored, offerMs, c.arrivals, c, spec.endpoints)
    if (spec.hang) r.hangRequests = c.hung
    return r
  } finally {
    await stopQueue()
    await stopReceivers()
  }
}

function report(r: PhaseResult): void {
  const lat = r.latencies
  const missing = r.expected - r.delivered
  const tput = (r.delivered * 1000) / r.spanMs
  const offered = r.spec.backlog
    ? `${int(r.mutations).padStart(6)} stored first × ${r.spec.endpoints}, then released`
    : `${int(r.mutations).padStart(6)} mutations at ${((r.mutations * 1000) / r.offerMs).toFixed(0).padStart(4)}/s × ${r.spec.endpoints}`
  console.log(
    `  ${r.side.padEnd(6)} ${r.spec.name.padEnd(18)} ${offered}` +
      `${r.spec.hang ? ' (+1 hanging)' : ''} → ${int(r.delivered)} delivered in ${(r.spanMs / 1000).toFixed(1)} s = ${int(tput)}/s · ` +
      `latency${r.spec.backlog ? ' from release' : ''} p50 ${ms(percentile(lat, 50))} ms, p99 ${ms(percentile(lat, 99))} ms, max ${ms(percentile(lat, 100))} ms` +
      (missing ? ` · ${int(missing)} MISSING after the drain cap` : '') +
      (r.rejected ? ` · ${r.rejected} rejected by receivers` : '') +
      (r.duplicates ? ` · ${r.duplicates} duplicates` : '') +
      (r.hangRequests !== undefined ? ` · hanging endpoint got ${int(r.hangRequests)} requests` : ''),
  )
}

async function redisConfig(url: string) {
  const { Redis } = await import('ioredis')
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  const get = async (k: string) => ((await client.config('GET', k)) as string[])[1] ?? ''
  return {
    async describe(): Promise<string> {
      const [aof, fsync, save] = [await get('appendonly'), await get('appendfsync'), await get('save')]
      return aof === 'yes'
        ? `AOF on, appendfsync ${fsync}`
        : `no AOF${save ? `, RDB snapshots "${save}"` : ', no snapshots'}: queued jobs are lost on a Redis restart`
    },
    get,
    set: (k: string, v: string) => client.config('SET', k, v),
    /** Turning AOF on starts a rewrite of the whole dataset; measure after it. */
    async waitForRewrite() {
      for (let i = 0; i < 100; i++) {
        const info = await client.info('persistence')
        if (/aof_rewrite_in_progress:0/.test(info) && !/aof_rewrite_scheduled:1/.test(info)) return
        await sleep(100)
      }
    },
    close: () => client.quit(),
  }
}

const PHASES = (o: WebhooksOptions): PhaseSpec[] => [
  { name: 'latency', endpoints: 1, hang: false, rate: o.latencyRate },
  { name: 'backlog', endpoints: HEALTHY, hang: false, rate: Infinity, backlog: o.seconds * 30 },
  { name: 'backlog + hang', endpoints: HEALTHY, hang: true, rate: Infinity, backlog: o.seconds * 30 },
  { name: 'throughput', endpoints: HEALTHY, hang: false, rate: o.throughputRate },
  { name: 'throughput + hang', endpoints: HEALTHY, hang: true, rate: o.throughputRate },
]

export async function runWebhooksScenario(o: WebhooksOptions): Promise<SummaryRow[]> {
  const results: PhaseResult[] = []
  const data = tempDir('webhooks-config')

  const lite = await openBenchPglite('webhooks')
  try {
    section(
      `webhooks on ${lite.label} ${await serverVersion(lite.db)}: ingest() → worker (concurrency ${o.concurrency}, 4 in flight per endpoint) → receivers in another process`,
    )
    for (const spec of PHASES(o)) {
      const r = await lunasPhase(lite, data.dir, spec, o)
      report(r)
      results.push(r)
    }
  } finally {
    await lite.close()
  }

  if (o.databaseUrl) {
    const server = await openBenchPostgres(o.databaseUrl)
    try {
      const [fsync] = await server.db.query<{ f: string; s: string }>(
        "select current_setting('fsync') as f, current_setting('synchronous_commit') as s",
      )
      const pgDurability = `fsync ${fsync?.f}, synchronous_commit ${fsync?.s}`
      section(
        `webhooks on PostgreSQL ${await serverVersion(server.db)} (${pgDurability}: a delivery exists once its mutation's commit returns)`,
      )
      for (const spec of PHASES(o)) {
        const r = await lunasPhase(server, data.dir, spec, o)
        report(r)
        results.push(r)
      }

      const redis = await redisConfig(o.redisUrl)
      try {
        const durability = await redis.describe()
        const short = (await redis.get('appendonly')) === 'yes' ? `AOF ${await redis.get('appendfsync')}` : 'no AOF'
        section(`the same on PostgreSQL + BullMQ on Redis (${durability}); Worker concurrency ${o.concurrency}, one queue`)
        for (const spec of PHASES(o)) {
          const r = await bullmqPhase(server, spec, o, short)
          report(r)
          results.push(r)
        }
        if (o.redisFsync) {
          // Durability closer to PostgreSQL's commit: the job is on disk before addBulk returns. Put back afterwards.
          const before = { appendonly: await redis.get('appendonly'), appendfsync: await redis.get('appendfsync') }
          const restore = onCleanup('restore Redis persistence settings', async () => {
            await redis.set('appendfsync', before.appendfsync)
            await redis.set('appendonly', before.appendonly)
          })
          try {
            await redis.set('appendonly', 'yes')
            await redis.set('appendfsync', 'always')
            await redis.waitForRewrite()
            section(`BullMQ again with Redis ${await redis.describe()} (set for this run, restored afterwards)`)
            for (const spec of PHASES(o)) {
              const r = await bullmqPhase(server, spec, o, 'AOF always, set for the run')
              report(r)
              results.push(r)
            }
          } finally {
            await restore()
            console.log(`  Redis restored: ${await redis.describe()}`)
          }
        }
      } finally {
        await redis.close()
      }
    } finally {
      await server.close()
    }
  } else {
    console.log('\n  DATABASE_URL is not set: PostgreSQL and the BullMQ comparison skipped.')
  }
  await data.remove()
  return summarize(results)
}

const missingNote = (r: PhaseResult) =>
  r.expected > r.delivered ? `; ${int(r.expected - r.delivered)} not delivered within the drain cap` : ''

function summarize(results: readonly PhaseResult[]): SummaryRow[] {
  const rows: SummaryRow[] = []
  const tput = (r: PhaseResult) => (r.delivered * 1000) / r.spanMs
  const p = (r: PhaseResult, q: number) => percentile(r.latencies, q)
  const find = (side: Side, engine: string, name: PhaseSpec['name']) =>
    results.find((r) => r.side === side && r.engine.startsWith(engine) && r.spec.name === name)
  const engines = [...new Set(results.map((r) => `${r.side}|${r.engine}`))]
  for (const key of engines) {
    const [side, engine] = key.split('|') as [Side, string]
    const s = `webhooks · ${side} · ${engine.replace(' (disk)', '')}`
    const lat = find(side, engine, 'latency')
    const backlog = find(side, engine, 'backlog')
    const backlogHang = find(side, engine, 'backlog + hang')
    const alone = find(side, engine, 'throughput')
    const hang = find(side, engine, 'throughput + hang')
    if (lat)
      rows.push({
        scenario: s,
        metric: `latency @${Math.round((lat.mutations * 1000) / lat.offerMs)}/s, 1 endpoint`,
        value: `p50 ${ms(p(lat, 50))} / p99 ${ms(p(lat, 99))} ms`,
        note: missingNote(lat).replace(/^; /, '') || undefined,
      })
    if (backlog)
      rows.push({
        scenario: s,
        metric: `backlog ${int(backlog.expected)} → 10 endpoints`,
        value: `${int(tput(backlog))}/s`,
        note: `drained in ${(backlog.spanMs / 1000).toFixed(1)} s` + missingNote(backlog),
      })
    if (backlogHang)
      rows.push({
        scenario: s,
        metric: `backlog ${int(backlogHang.expected)} → 10 + 1 hanging`,
        value: `${int(tput(backlogHang))}/s`,
        note:
          `drained in ${(backlogHang.spanMs / 1000).toFixed(1)} s` +
          (backlog ? `; ${ratio(tput(backlogHang), tput(backlog))} of alone` : '') +
          missingNote(backlogHang),
      })
    if (alone)
      rows.push({
        scenario: s,
        metric: `steady @${Math.round((alone.mutations * 1000) / alone.offerMs)}/s × 10: deliv/s, p99`,
        value: `${int(tput(alone))}/s, ${ms(p(alone, 99))} ms`,
        note: `offered ${int((alone.mutations * HEALTHY * 1000) / alone.offerMs)}/s` + missingNote(alone),
      })
    if (hang)
      rows.push({
        scenario: s,
        metric: `steady @${Math.round((hang.mutations * 1000) / hang.offerMs)}/s × 10 + 1 hanging`,
        value: `${int(tput(hang))}/s, ${ms(p(hang, 99))} ms`,
        note: alone
          ? `p99 ${ratio(p(hang, 99), p(alone, 99))} of alone; tput ${ratio(tput(hang), tput(alone))}` +
            missingNote(hang)
          : undefined,
      })
  }
  for (const name of ['latency', 'backlog', 'backlog + hang', 'throughput', 'throughput + hang'] as const) {
    const l = find('Lunas', 'PostgreSQL', name)
    const b = results.find((r) => r.side === 'BullMQ' && !r.engine.includes('set for the run') && r.spec.name === name)
    if (!l || !b) continue
    rows.push({
      scenario: `webhooks · Lunas ÷ BullMQ (${b.engine.replace(/^.*\(|\)$/g, '')})`,
      metric: name,
      value: `p50 ${ratio(p(l, 50), p(b, 50))}, p99 ${ratio(p(l, 99), p(b, 99))}`,
      note: name === 'latency' ? 'latency ratios (<1: Lunas faster)' : `throughput ${ratio(tput(l), tput(b))}`,
    })
    const a = results.find((r) => r.side === 'BullMQ' && r.engine.includes('set for the run') && r.spec.name === name)
    if (a)
      rows.push({
        scenario: 'webhooks · Lunas ÷ BullMQ (AOF always)',
        metric: name,
        value: `p50 ${ratio(p(l, 50), p(a, 50))}, p99 ${ratio(p(l, 99), p(a, 99))}`,
        note: name === 'latency' ? 'latency ratios (<1: Lunas faster)' : `throughput ${ratio(tput(l), tput(a))}`,
      })
  }
  return rows
}
