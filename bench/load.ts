/**
 * The HTTP load generator, run as a child process of the bench (eventloop.ts and api.ts fork it with
 * `startLoadChild`): the event loop being measured is the server's, so the client's own JSON parsing and bookkeeping
 * must not run on it. Node's built-in fetch, a fixed number of concurrent loops, loopback only, bounded both in time
 * and in request count.
 *
 * Protocol over IPC: the child says `ready` once loaded (so start-up is not measured as idle time), the parent sends
 * a `LoadPlan`, the child answers one `LoadResult`; it then exits, unless the plan said `keepAlive` (the next plan
 * reuses the child and its open connections, e.g. a measured run after its warm-up).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface LoadTarget {
  /** Bearer token for this target's workspace. */
  token: string
  requests: { name: string; path: string }[]
}

export interface LoadPlan {
  baseUrl: string
  targets: LoadTarget[]
  concurrency: number
  durationMs: number
  maxRequests: number
  /** Per-request timeout (default 10 s); a request that takes longer counts as an error. */
  timeoutMs?: number
  /** Wait for another plan after answering this one, instead of exiting. */
  keepAlive?: boolean
}

export interface LoadResult {
  elapsedMs: number
  /** Latencies in ms per request name. */
  latencies: Record<string, number[]>
  statuses: Record<string, number>
  /** The first few failures, to say why. */
  failures: string[]
}

const REQUEST_TIMEOUT_MS = 10_000

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.baseUrl)
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')
    throw new Error('load is for loopback only')
  const latencies: Record<string, number[]> = {}
  const statuses: Record<string, number> = {}
  const failures: string[] = []
  const start = performance.now()
  const deadline = start + plan.durationMs
  let issued = 0

  async function loop(n: number): Promise<void> {
    const target = plan.targets[n % plan.targets.length]!
    // Each loop starts at another point of its list, so all filters are in flight at once.
    let next = n
    while (performance.now() < deadline && issued < plan.maxRequests) {
      issued++
      const req = target.requests[next++ % target.requests.length]!
      const t0 = performance.now()
      let status: string
      try {
        const res = await fetch(plan.baseUrl + req.path, {
          headers: { authorization: `Bearer ${target.token}` },
          signal: AbortSignal.timeout(plan.timeoutMs ?? REQUEST_TIMEOUT_MS),
        })
        const body = await res.text()
        status = String(res.status)
        if (res.status !== 200 && failures.length < 5)
          failures.push(`${req.name} ${res.status}: ${body.slice(0, 200)}`)
      } catch (err) {
        status = 'error'
        if (failures.length < 5) failures.push(`${req.name}: ${(err as Error).message}`)
      }
      const list = latencies[req.name] ?? []
      latencies[req.name] = list
      list.push(performance.now() - t0)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }

  await Promise.all(Array.from({ length: plan.concurrency }, (_, n) => loop(n)))
  return { elapsedMs: performance.now() - start, latencies, statuses, failures }
}

/** Forks the load generator and resolves once it is loaded and waiting for its first plan. */
export async function startLoadChild(): Promise<{
  child: ChildProcess
  run: (plan: LoadPlan) => Promise<LoadResult>
}> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a result`)))
  })
  exited.catch(() => {})
  const next = () => Promise.race([new Promise<unknown>((resolve) => child.once('message', resolve)), exited])
  await next()
  return {
    child,
    run: async (plan) => {
      const result = next()
      child.send(plan)
      return (await result) as LoadResult
    },
  }
}

// As a forked child: take plans one at a time, answer each, and leave after the last. A parent that dies takes the
// child with it.
if (process.send) {
  process.on('disconnect', () => process.exit(0))
  process.send('ready')
  const take = () =>
    process.once('message', (plan: LoadPlan) => {
      runLoad(plan).then(
        (result) => {
          if (plan.keepAlive) {
            take()
            process.send!(result)
          } else process.send!(result, () => process.disconnect())
        },
        (err: Error) => {
          console.error(err)
          process.exit(1)
        },
      )
    })
  take()
}
