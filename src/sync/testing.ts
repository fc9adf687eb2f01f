/** Helpers for the sync tests: an App around a test database, feed settings, and polling for a condition. */
import { tmpdir } from 'node:os'
import type { App } from '../app.ts'
import { loadConfig } from '../config.ts'
import type { Db } from '../db/db.ts'
import { createLogger } from '../shared/log.ts'

const KEY_HEX = '5f'.repeat(32)

export function testApp(db: Db, env: Record<string, string> = {}): App {
  return {
    config: loadConfig({
      LUNAS_DATA_DIR: tmpdir(),
      LUNAS_SECRET_KEY: KEY_HEX,
      LUNAS_LOG_LEVEL: 'silent',
      LUNAS_SCHEDULER_TICK_MS: '50',
      ...env,
    }),
    db,
    log: createLogger('silent'),
    secretKey: Buffer.from(KEY_HEX, 'hex'),
  }
}

/** Sandbox feed settings that started `hoursAgo` hours before now. */
export function feedSettings(over: Record<string, unknown> = {}, hoursAgo = 3): Record<string, unknown> {
  return {
    feed: {
      seed: 1234,
      ratePerHour: 20,
      startedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
      fail: 'none',
      ...over,
    },
  }
}

/** Resolves once `check` returns true; fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
