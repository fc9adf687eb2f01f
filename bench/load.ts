/**
 * The HTTP load generator, run as a child process of the bench (eventloop.ts forks it): the event loop being measured
 * is the server's, so the client's own JSON parsing and bookkeeping must not run on it. Node's built-in fetch,
 * a fixed number of concurrent loops, loopback only, bounded both in time and in request count.
 *
 * Protocol over IPC: the child says `ready` once loaded (so start-up is not measured as idle time), the parent sends
 * one `LoadPlan`, the child answers one `LoadResult` and exits.
 */

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
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
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

// As a forked child: take one plan, answer, and leave. A parent that dies takes the child with it.
if (process.send) {
  process.on('disconnect', () => process.exit(0))
  process.send('ready')
  process.once('message', (plan: LoadPlan) => {
    runLoad(plan).then(
      (result) => process.send!(result, () => process.disconnect()),
      (err: Error) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
}
