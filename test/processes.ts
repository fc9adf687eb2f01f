/**
 * Lunas as separate OS processes, for the tests that need them (the CLI, crash and restart tests): `lunas start` as a
 * child with a clean environment, ready once it prints its ready line.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BIN = join(ROOT, 'bin/lunas.js')
// Each child process loads TypeScript and opens PGlite: seconds apiece, many more on a busy 2-core machine.
export const SLOW = 240_000

export type Env = Record<string, string>

/** The environment of a child: this one without any database or key settings, plus `env`. */
export function childEnv(env: Env): NodeJS.ProcessEnv {
  const base = { ...process.env }
  for (const k of Object.keys(base))
    if (k.startsWith('LUNAS_') || k === 'DATABASE_URL' || k === 'PORT') delete base[k]
  return { ...base, LUNAS_LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', ...env }
}

export interface Server {
  child: ChildProcess
  url: string
  output: () => string
  /** Sends `signal` and resolves with the exit code (or the signal name when killed). */
  stop(signal: NodeJS.Signals): Promise<number | string>
}

const servers: ChildProcess[] = []

/** Starts `lunas start` and waits until it prints its ready line. */
export function startServer(env: Env, args: string[] = [], ready = /Lunas listening on (\S+)/): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: ROOT, env: childEnv(env) })
  servers.push(child)
  let output = ''
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), SLOW)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = ready.exec(output)
      if (!m) return
      clearTimeout(timer)
      resolve({
        child,
        url: m[1] ?? '',
        output: () => output,
        stop: (signal) => {
          child.kill(signal)
          return exited
        },
      })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before it was ready:\n${output}`))
    })
  })
}

/** Kills every server this file started that is still running (for afterAll). */
export function killServers(): void {
  for (const c of servers) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}
