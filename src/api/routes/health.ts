/** `GET /health`: 200 once the database answers, 503 (still JSON) when it does not, for load balancers and probes. */
import type { FastifyPluginAsync } from 'fastify'
import type { App } from '../../app.ts'
import { VERSION } from '../../shared/version.ts'
// A probe that hangs is worse than one that fails: answer 503 once the database has had this long.
const DB_TIMEOUT_MS = 2000

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export const healthRoutes: FastifyPluginAsync<{ app: App }> = async (server, { app }) => {
  server.get('/health', { config: { public: true } }, async (request, reply) => {
    const about = { engine: app.db.engine, version: VERSION }
    try {
      await within(DB_TIMEOUT_MS, app.db.query('select 1'))
    } catch (err) {
      request.log.warn({ err }, 'health check: the database did not answer')
      return reply.code(503).send({ status: 'unavailable', db: 'unavailable', ...about })
    }
    return { status: 'ok', db: 'ok', ...about }
  })
}
