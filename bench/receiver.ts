/**
 * Webhook receivers for the webhooks scenario, run as a child process of the bench (`startReceivers`), so their
 * parsing and bookkeeping never run on the event loop that delivers. Each receiver is a plain node:http server on
 * 127.0.0.1 that checks the Moota `Signature` (HMAC-SHA256 of the body, hex), records when each `mutation_id` of the
 * JSON array first arrived (wall clock with sub-millisecond precision, comparable across processes of one machine),
 * and answers 200 — except a `hang` receiver, which reads the request and never answers.
 *
 * Protocol over IPC: the parent sends `{ kind: 'start', receivers }`, the child answers the ports; `collect` answers
 * the arrivals since the last collect and forgets them; the child exits when the parent disconnects.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

export interface ReceiverSpec {
  secret: string
  /** Read the request, never answer (the sender's timeout ends it). */
  hang?: boolean
}

/** One mutation's first arrival at one receiver: [receiver index, mutation_id, epoch ms]. */
export type Arrival = [number, string, number]

export interface Collected {
  arrivals: Arrival[]
  /** Requests whose Signature did not verify, or whose body was not a JSON array of mutations. */
  rejected: number
  /** Requests answered, and mutations that had arrived before at the same receiver (resends). */
  requests: number
  duplicates: number
  /** Requests the hanging receivers got (and never answered). */
  hung: number
}

type Message = { kind: 'start'; receivers: ReceiverSpec[] } | { kind: 'collect' }

/** Wall clock in ms with the monotonic clock's resolution. */
export const nowMs = () => performance.timeOrigin + performance.now()

function serve(receivers: ReceiverSpec[]): Promise<number[]> {
  let arrivals: Arrival[] = []
  const seen = receivers.map(() => new Set<string>())
  let rejected = 0
  let requests = 0
  let duplicates = 0
  let hung = 0
  const servers: Server[] = []
  const sockets = new Set<Socket>()

  process.on('message', (m: Message) => {
    if (m.kind !== 'collect') return
    const out: Collected = { arrivals, rejected, requests, duplicates, hung }
    arrivals = []
    rejected = requests = duplicates = hung = 0
    process.send!(out)
  })

  return Promise.all(
    receivers.map(
      (spec, index) =>
        new Promise<number>((resolve) => {
          const key = Buffer.from(spec.secret, 'utf8')
          const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
            if (spec.hang) hung++
            const chunks: Buffer[] = []
            req.on('data', (c: Buffer) => chunks.push(c))
            req.on('end', () => {
              const at = nowMs()
              if (spec.hang) return
              requests++
              const body = Buffer.concat(chunks)
              const mac = createHmac('sha256', key).update(body).digest()
              const given = Buffer.from(String(req.headers.signature ?? ''), 'hex')
              let ok = given.length === mac.length && timingSafeEqual(given, mac)
              if (ok) {
                try {
                  const list = JSON.parse(body.toString('utf8')) as { mutation_id?: unknown }[]
                  for (const m of list) {
                    const id = String(m.mutation_id)
                    if (seen[index]!.has(id)) duplicates++
                    else {
                      seen[index]!.add(id)
                      arrivals.push([index, id, at])
                    }
                  }
                } catch {
                  ok = false
                }
              }
              if (!ok) rejected++
              res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain' }).end(ok ? 'OK' : 'bad signature')
            })
          })
          server.on('connection', (s: Socket) => {
            sockets.add(s)
            s.once('close', () => sockets.delete(s))
          })
          servers.push(server)
          server.listen(0, '127.0.0.1', () => {
            const a = server.address()
            resolve(typeof a === 'object' && a ? a.port : 0)
          })
        }),
    ),
  )
}

/** Forks the receivers' process; resolves with their ports (in the order given) once all listen. */
export async function startReceivers(receivers: ReceiverSpec[]): Promise<{
  child: ChildProcess
  ports: number[]
  collect: () => Promise<Collected>
}> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`receivers exited (${code})`)))
  })
  exited.catch(() => {})
  const next = <T>() => Promise.race([new Promise<T>((resolve) => child.once('message', resolve)), exited])
  const ports = next<number[]>()
  child.send({ kind: 'start', receivers } satisfies Message)
  return {
    child,
    ports: await ports,
    collect: async () => {
      const r = next<Collected>()
      child.send({ kind: 'collect' } satisfies Message)
      return r
    },
  }
}

// As a forked child: start the receivers asked for, answer collects, and leave with the parent.
if (process.send) {
  process.on('disconnect', () => process.exit(0))
  process.once('message', (m: Message) => {
    if (m.kind === 'start') void serve(m.receivers).then((ports) => process.send!(ports))
  })
}
