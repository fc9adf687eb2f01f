/**
 * The fault test (webhook issue, "What it must show"): Lunas on PostgreSQL as separate OS processes — three
 * `lunas start --role worker` — while this process ingests 3000 mutations for two endpoints whose receiver on
 * 127.0.0.1 sometimes answers 500, sometimes hangs (the attempt times out, or its worker is killed mid-request), and
 * otherwise 200. Workers are killed with SIGKILL again and again and replaced. At the end every mutation has reached
 * the receiver under exactly one webhook-id, every copy of a webhook-id carried the same bytes, every Signature was
 * right, and every delivery is `succeeded`.
 *
 * What the run must have seen, or it proves nothing:
 * - a lease reclaimed from a killed worker: the receiver holds a request open, the test finds the worker process
 *   that owns the client socket (/proc) and SIGKILLs it; that delivery then shows a claim with no attempt on record
 *   (`attempts` in the row exceeds its webhook_attempts rows: only a dead worker claims without recording, which the
 *   surviving workers' logs confirm) and an attempt recorded later by another worker, and the receiver gets the same
 *   webhook-id again;
 * - a duplicate: a webhook-id the receiver got more than once.
 */
import { createHmac } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { newSecretKey } from '../src/shared/crypto.ts'
import { createLogger } from '../src/shared/log.ts'
import { createEndpoint } from '../src/webhooks/endpoints.ts'
import { standardWebhooksSecret } from '../src/webhooks/sign.ts'
import { createPgDatabase, onPostgres } from './db.ts'
import { seedAccount, seedWorkspace } from './fixtures.ts'
import { type Env, killServers, type Server, startServer } from './processes.ts'

afterAll(killServers)

const MUTATIONS = 3000
const BATCH = 25
const WORKERS = 3
const LEASE_S = 7
const TIMEOUT_MS = 2000
const KILL_EVERY_MS = 2500
// Hangs left to time out: each waits the engine's one-minute floor for timed-out receivers before its retry, so a few,
// early, keep the run short.
const TIMEOUT_HANGS = 4

type Got = {
  endpoint: string
  id: string
  seq: number
  body: string
  at: number
  answer: 200 | 500 | 'hang'
}

/** The pid, among `pids`, of the process owning the TCP client socket 127.0.0.1:`clientPort` → :`serverPort`. */
function socketOwner(clientPort: number, serverPort: number, pids: readonly number[]): number | null {
  const hex = (n: number) => `:${n.toString(16).toUpperCase().padStart(4, '0')}`
  const row = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(hex(clientPort)) && f[2]?.endsWith(hex(serverPort)))
  if (!row) return null
  const socket = `socket:[${row[9]}]`
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) if (readlinkSync(`/proc/${pid}/fd/${fd}`) === socket) return pid
    } catch {
      // The process is gone.
    }
  }
  return null
}

describe.skipIf(!onPostgres)('webhook delivery under SIGKILLed workers and a failing receiver (PostgreSQL)', () => {
  let pg: Awaited<ReturnType<typeof createPgDatabase>>
  beforeAll(async () => {
    pg = await createPgDatabase()
  })
  afterAll(async () => {
    killServers()
    await pg.drop()
  })

  it('delivers every mutation, duplicates only as the same webhook-id and bytes', { timeout: 400_000 }, async ({ annotate }) => {
    const started = Date.now()
    const env: Env = {
      DATABASE_URL: pg.url,
      LUNAS_SECRET_KEY: newSecretKey(),
      LUNAS_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
      LUNAS_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      LUNAS_WEBHOOK_LEASE_SECONDS: String(LEASE_S),
      LUNAS_WEBHOOK_POLL_MS: '50',
      LUNAS_WEBHOOK_SCHEDULE: Array(12).fill('1s').join(','),
      LUNAS_SCHEDULER_TICK_MS: '600000',
    }
    const app = await openApp(loadConfig(env), { log: createLogger('silent'), warnKeyFile: false })
    const ws = await seedWorkspace(app.db)
    const accounts = await Promise.all([1, 2, 3].map(() => seedAccount(app.db, ws)))

    // The receiver: checks both signatures of every request, then answers as the fault plan says.
    const secrets = new Map<string, string>()
    const got: Got[] = []
    const badSignatures: string[] = []
    const hanging = new Set<ServerResponse>()
    let faults = true
    let faultsFrom = 0
    let timeoutHangs = 0
    let killArmed = false
    // Requests open at once per endpoint (from arrival to the answer or the socket's end), against its cap.
    const open = new Map<string, number>()
    const peak = new Map<string, number>()
    const receiver = createServer((req, res) => {
      const opened = String(req.headers['x-moota-webhook'])
      open.set(opened, (open.get(opened) ?? 0) + 1)
      peak.set(opened, Math.max(peak.get(opened) ?? 0, open.get(opened)!))
      res.on('close', () => open.set(opened, open.get(opened)! - 1))
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const at = Date.now()
        const raw = Buffer.concat(chunks)
        const endpoint = String(req.headers['x-moota-webhook'])
        const secret = secrets.get(endpoint) ?? ''
        const id = String(req.headers['webhook-id'])
        if (req.headers.signature !== createHmac('sha256', secret).update(raw).digest('hex')) badSignatures.push(id)
        try {
          new Webhook(standardWebhooksSecret(secret)).verify(raw.toString('utf8'), {
            'webhook-id': id,
            'webhook-timestamp': String(req.headers['webhook-timestamp']),
            'webhook-signature': String(req.headers['webhook-signature']),
          })
        } catch {
          badSignatures.push(`${id} (standard webhooks)`)
        }
        let answer: Got['answer'] = 200
        const r = Math.random()
        if (faults && killArmed) {
          // Hold this request open and kill the worker that sent it.
          const pid = socketOwner(req.socket.remotePort!, port, [...workers.keys()])
          if (pid !== null && killable(pid)) {
            killArmed = false
            answer = 'hang'
            kill(pid, id, at)
          }
        }
        if (answer === 200 && faults && timeoutHangs < TIMEOUT_HANGS && Date.now() - faultsFrom < 10_000 && r < 0.03) {
          timeoutHangs++
          answer = 'hang'
        } else if (answer === 200 && faults && r < 0.13) answer = 500
        got.push({ endpoint, id, seq: Number(req.headers['webhook-sequence']), body: raw.toString('utf8'), at, answer })
        if (answer === 'hang') {
          hanging.add(res)
          res.on('close', () => hanging.delete(res))
        } else res.writeHead(answer).end(answer === 200 ? '{"Status":"success"}' : 'busy')
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    const port = (receiver.address() as AddressInfo).port
    const all = await createEndpoint(app.db, ws, app.secretKey, { url: `http://127.0.0.1:${port}/all`, secret: 'rahasia-semua' })
    const one = await createEndpoint(app.db, ws, app.secretKey, {
      url: `http://127.0.0.1:${port}/one`,
      secret: 'rahasia-satu',
      account: accounts[0]!.publicId,
    })
    secrets.set(all.publicId, 'rahasia-semua')
    secrets.set(one.publicId, 'rahasia-satu')
    const CAP = 4
    await app.db.query('update webhook_endpoints set max_in_flight = $2 where workspace_id = $1', [ws.id, CAP])

    // Worker processes: every one started, by pid; the ones killed, with what the receiver held open for each.
    const workers = new Map<number, { server: Server; killed: boolean }>()
    const kills: { pid: number; heldId: string | null; at: number }[] = []
    const booting = new Set<Promise<unknown>>()
    const bootErrors: unknown[] = []
    const startWorker = () => {
      const p = startServer(env, ['--role', 'worker'], /Lunas worker running/).then((server) => {
        workers.set(server.child.pid!, { server, killed: false })
      })
      booting.add(p)
      p.then(
        () => booting.delete(p),
        (err: unknown) => {
          bootErrors.push(err)
          booting.delete(p)
        },
      )
      return p
    }
    const alive = () => [...workers.entries()].filter(([, w]) => !w.killed)
    const killable = (pid: number) => workers.get(pid)?.killed === false && alive().length >= 2
    function kill(pid: number, heldId: string | null, at = Date.now()): void {
      workers.get(pid)!.killed = true
      workers.get(pid)!.server.child.kill('SIGKILL')
      kills.push({ pid, heldId, at })
      void startWorker()
    }
    await Promise.all(Array.from({ length: WORKERS }, startWorker))
    const booted = Date.now()

    // Kills: every KILL_EVERY_MS, alternately the sender of the next request (held open: killed mid-request) and a
    // worker picked at random, whatever it is doing.
    faultsFrom = Date.now()
    let round = 0
    const killer = setInterval(() => {
      if (round++ % 2 === 0) killArmed = true
      else {
        const candidates = alive()
        if (candidates.length >= 2) kill(candidates[Math.floor(Math.random() * candidates.length)]![0], null)
      }
    }, KILL_EVERY_MS)

    // The writer: 3000 mutations in batches of 25, round robin over three accounts, at a steady pace.
    for (let b = 0; b < MUTATIONS / BATCH; b++) {
      const acc = accounts[b % accounts.length]!
      const rows = Array.from({ length: BATCH }, (_, i) => ({
        date: '2026-11-20',
        type: (i % 4 === 3 ? 'DB' : 'CR') as 'CR' | 'DB',
        amount: String(10_000 + b * BATCH + i),
        description: `FAULT ${b}-${i}`,
      }))
      await ingest(app.db, ws, { accountId: acc.publicId, source: 'csv', rows, webhookBatchMax: 10 })
      await new Promise((r) => setTimeout(r, 100))
    }
    const written = Date.now()
    // Faults go on a little after the last batch, then stop: the engine must now finish everything.
    await new Promise((r) => setTimeout(r, 3000))
    clearInterval(killer)
    faults = false
    await Promise.allSettled([...booting])
    expect(bootErrors).toEqual([])
    const deadline = Date.now() + 150_000
    for (;;) {
      const [p] = await app.db.query<{ n: number }>(
        "select count(*)::int as n from webhook_deliveries where workspace_id = $1 and status <> 'succeeded'",
        [ws.id],
      )
      if (!p!.n) break
      if (Date.now() > deadline) throw new Error(`${p!.n} deliveries not succeeded`)
      await new Promise((r) => setTimeout(r, 200))
    }
    const delivered = Date.now()
    const outputs = alive().map(([, w]) => w.server.output())
    expect(await Promise.all(alive().map(([, w]) => w.server.stop('SIGTERM')))).toEqual(alive().map(() => 0))
    for (const res of hanging) res.destroy()
    receiver.closeAllConnections()
    receiver.close()

    // Nothing missing, nothing extra: each endpoint got exactly its mutations, each under exactly one webhook-id.
    const mutations = await app.db.query<{ public_id: string; account_id: string }>(
      'select public_id, account_id from mutations where workspace_id = $1',
      [ws.id],
    )
    expect(mutations).toHaveLength(MUTATIONS)
    const expected = new Map([
      [all.publicId, new Set(mutations.map((m) => m.public_id))],
      [one.publicId, new Set(mutations.filter((m) => m.account_id === accounts[0]!.id).map((m) => m.public_id))],
    ])
    const bodyOf = new Map<string, string>()
    const copies = new Map<string, Got[]>()
    for (const g of got) copies.set(g.id, [...(copies.get(g.id) ?? []), g])
    for (const [endpoint, want] of expected) {
      const idOf = new Map<string, string>()
      for (const g of got.filter((x) => x.endpoint === endpoint)) {
        // Every copy of a webhook-id is the same bytes.
        expect(g.body, `body of ${g.id}`).toBe(bodyOf.get(g.id) ?? g.body)
        bodyOf.set(g.id, g.body)
        for (const m of JSON.parse(g.body) as { mutation_id: string }[]) {
          expect(idOf.get(m.mutation_id) ?? g.id, `mutation ${m.mutation_id} under two webhook-ids`).toBe(g.id)
          idOf.set(m.mutation_id, g.id)
        }
      }
      expect(new Set(idOf.keys())).toEqual(want)
    }
    expect(badSignatures).toEqual([])
    // The cap held across processes: never more requests open at the receiver than an endpoint's slots. (A quick
    // receiver rarely nears it; the cap's own proof, under contention, is src/webhooks/deliveries.pg.test.ts.)
    for (const n of peak.values()) expect(n).toBeLessThanOrEqual(CAP)

    // Every delivery succeeded, the receiver saw each one, and each endpoint's sequence has no gap.
    const deliveries = await app.db.query<{
      public_id: string
      endpoint_id: string
      status: string
      attempts: number
      recorded: number
      workers: string[]
    }>(
      `select d.public_id, d.endpoint_id, d.status, d.attempts,
         (select count(*)::int from webhook_attempts a where a.delivery_id = d.id) as recorded,
         array(select a.worker from webhook_attempts a where a.delivery_id = d.id order by a.id) as workers
       from webhook_deliveries d where d.workspace_id = $1`,
      [ws.id],
    )
    expect(deliveries.filter((d) => d.status !== 'succeeded')).toEqual([])
    expect(new Set(got.map((g) => g.id))).toEqual(new Set(deliveries.map((d) => `msg_${d.public_id}`)))
    for (const e of [all, one]) {
      const seqs = [...new Set(got.filter((g) => g.endpoint === e.publicId).map((g) => g.seq))].sort((a, b) => a - b)
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
      expect(seqs.length).toBe(deliveries.filter((d) => d.endpoint_id === e.id).length)
    }

    // A claim with no attempt on record is a dead worker's: the survivors never failed to record one.
    for (const out of outputs) expect(out).not.toMatch(/failed to record|claiming webhook deliveries failed/)
    const workerName = (pid: number) => `${hostname()}:${pid}`
    const byId = new Map(deliveries.map((d) => [`msg_${d.public_id}`, d]))
    // Leases reclaimed from a worker killed mid-request: the held delivery has an unrecorded claim, an attempt
    // recorded by another worker, and reached the receiver again.
    const reclaimed = kills.filter((k) => {
      if (!k.heldId) return false
      const d = byId.get(k.heldId)!
      const again = (copies.get(k.heldId) ?? []).filter((g) => g.at > k.at)
      return d.attempts > d.recorded && d.workers.some((w) => w !== workerName(k.pid)) && again.length > 0
    })
    const gaps = reclaimed.map((k) => {
      const held = copies.get(k.heldId!)!.filter((g) => g.at <= k.at).at(-1)!
      return copies.get(k.heldId!)!.find((g) => g.at > k.at)!.at - held.at
    })
    const unrecorded = deliveries.reduce((n, d) => n + d.attempts - d.recorded, 0)
    const duplicates = [...copies.values()].filter((c) => c.length > 1)
    const acceptedTwice = duplicates.filter((c) => c.filter((g) => g.answer === 200).length > 1)
    const timedOut = await app.db.query<{ n: number }>(
      "select count(*)::int as n from webhook_attempts where workspace_id = $1 and error like 'timeout%'",
      [ws.id],
    )
    const fenced = outputs.join('').split('lease expired before the attempt was recorded').length - 1
    await app.db.close()
    // The counts this run saw, for the report (vitest --reporter=verbose shows them).
    await annotate(
      [
        `fault run: ${MUTATIONS} mutations, ${deliveries.length} deliveries, ${got.length} requests received`,
        `workers started ${workers.size}, killed ${kills.length} (${kills.filter((k) => k.heldId).length} mid-request)`,
        `leases reclaimed from killed workers (held request seen again) ${reclaimed.length}, ` +
          `re-sent after ${gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join(', ')}`,
        `claims never recorded (dead workers) ${unrecorded}; attempts timed out ${timedOut[0]!.n}; late settlements fenced ${fenced}`,
        `webhook-ids received more than once ${duplicates.length}, accepted (200) more than once ${acceptedTwice.length}; ` +
          `500s ${got.filter((g) => g.answer === 500).length}, hangs ${got.filter((g) => g.answer === 'hang').length}`,
        `requests open at once, at most: ${[...peak.values()].join(' and ')} (cap ${CAP})`,
        `boot ${((booted - started) / 1000).toFixed(0)} s, writing ${((written - booted) / 1000).toFixed(0)} s, ` +
          `all delivered ${((delivered - written) / 1000).toFixed(0)} s after the last batch`,
      ].join('\n'),
    )
    // A receiver that accepted a webhook-id twice was sent it again only because a worker died between the answer
    // and its record (or outlived its lease, which the fenced count shows).
    if (!fenced)
      for (const c of acceptedTwice) {
        const d = byId.get(c[0]!.id)!
        expect(d.attempts, `${c[0]!.id} accepted twice`).toBeGreaterThan(d.recorded)
      }
    // The run saw what it is meant to prove, or it does not count.
    expect(reclaimed.length, 'no lease was reclaimed from a killed worker').toBeGreaterThan(0)
    expect(duplicates.length, 'no webhook-id arrived twice').toBeGreaterThan(0)
  })
})
