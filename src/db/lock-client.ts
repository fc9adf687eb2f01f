/**
 * The asking side of the data-directory socket (protocol in lock.ts): `ping` to learn who holds the directory, and
 * `sendRun` to forward a CLI command to a server holding it.
 */
import { connect } from 'node:net'
import type { PingAnswer, RunAnswer } from './lock.ts'

type Exchange<T> = { answer: T } | { failure: 'unreachable' | 'no_answer' }

/**
 * Sends one request line and waits for the first answer line. `unreachable` means nothing was sent (no socket, or
 * nobody listening); `no_answer` means the request went out but no answer came (timeout or connection closed).
 */
function exchange<T>(socketPath: string, body: object, timeoutMs?: number): Promise<Exchange<T>> {
  return new Promise((resolve) => {
    const socket = connect(socketPath)
    let connected = false
    let buffered = ''
    let done = false
    const finish = (value: Exchange<T>) => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      socket.destroy()
      resolve(value)
    }
    const timer =
      timeoutMs === undefined ? null : setTimeout(() => finish({ failure: 'no_answer' }), timeoutMs)
    socket.setEncoding('utf8')
    socket.on('connect', () => {
      connected = true
      socket.write(`${JSON.stringify(body)}\n`)
    })
    socket.on('data', (chunk: string) => {
      buffered += chunk
      const nl = buffered.indexOf('\n')
      if (nl < 0) return
      try {
        finish({ answer: JSON.parse(buffered.slice(0, nl)) as T })
      } catch {
        finish({ failure: 'no_answer' })
      }
    })
    const failed = () => finish({ failure: connected ? 'no_answer' : 'unreachable' })
    socket.on('error', failed)
    socket.on('close', failed)
  })
}

/** Asks whoever listens on the socket who they are; null when nothing answers within `timeoutMs`. */
export async function ping(socketPath: string, timeoutMs = 1000): Promise<PingAnswer | null> {
  const res = await exchange<PingAnswer>(socketPath, { op: 'ping' }, timeoutMs)
  return 'answer' in res && res.answer?.ok === true && typeof res.answer.pid === 'number' ? res.answer : null
}

/** A forwarded command's outcome; `unreachable` was never sent (safe to retry), `no_answer` may have run. */
export type RunOutcome = RunAnswer | { ok: false; error: 'unreachable' | 'no_answer'; message: string }

/** Forwards a CLI command to whoever holds the data directory. */
export async function sendRun(socketPath: string, argv: readonly string[]): Promise<RunOutcome> {
  const res = await exchange<RunAnswer>(socketPath, { op: 'run', argv })
  if ('answer' in res) return res.answer
  return res.failure === 'unreachable'
    ? { ok: false, error: 'unreachable', message: 'nothing answers on the data directory socket' }
    : { ok: false, error: 'no_answer', message: 'the server closed the connection before answering' }
}
