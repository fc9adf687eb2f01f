/**
 * Request rate limits, counted by @fastify/rate-limit's in-memory store:
 * - every authenticated call on /api/v2 and /v1, per token (not per IP: many shops sit behind one NAT, and one
 *   shop's runaway plugin must not slow another's), `LUNAS_RATE_LIMIT_PER_MINUTE`;
 * - `POST /api/v2/auth/login`, per client IP and separately per e-mail, `LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE`, against
 *   password guessing (from one address, or spread over many addresses at one account).
 * An exceeded limit throws `rate_limited` after setting `Retry-After` (seconds), so errors.ts answers it in each
 * surface's shape: Laravel's `{"message":"Too Many Attempts."}` on /api/v2, problem+json on /v1.
 *
 * Several processes: the counters live in each process's memory (an LRU of recent keys), so with N API processes
 * behind a load balancer a token may make up to N × the limit per minute, and a restart forgets the counts. That is
 * accepted: the limit guards against runaway clients and password guessing, not for billing; a shared store
 * (the plugin supports Redis) can be added if one is ever deployed.
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.ts'
import { AppError } from '../shared/errors.ts'
import { isApiPath, MOOTA_PREFIX } from './errors.ts'

const WINDOW_MS = 60_000
// Distinct keys remembered per limiter; the least recently seen are forgotten first (and so start again at zero).
const KEYS_KEPT = 10_000
export const LOGIN_PATH = `${MOOTA_PREFIX}/auth/login`

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/**
 * A hook counting one call for the key `limiter` derives; once over the limit it sets Retry-After and throws
 * `rate_limited`, which errors.ts shapes per surface.
 */
function limitHook(limiter: Limiter, what: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const r = await limiter(request)
    if (r.isAllowed) return
    // Laravel's throttle middleware (which Moota runs) sends this pair on every answer; clients may pace by it.
    reply.header('x-ratelimit-limit', r.max)
    reply.header('x-ratelimit-remaining', r.remaining)
    if (!r.isExceeded) return
    request.log.info({ limit: what, max: r.max }, 'rate limit exceeded')
    reply.header('retry-after', Math.max(1, r.ttlInSeconds))
    throw new AppError('rate_limited', `too many requests: at most ${r.max} per minute ${what}; retry in ${r.ttlInSeconds} s`)
  }
}

/**
 * Registers the limits on every API route added after it (call before the route plugins, after registerAuth: a
 * route's own onRequest hooks run after the root's, so the token is known when the per-token limit counts).
 */
export async function registerRateLimits(server: FastifyInstance, config: Config): Promise<void> {
  if (config.rateLimitPerMinute === 0 && config.loginRateLimitPerMinute === 0) return
  // The plugin's counters and LRU store, but our own hooks: its per-route mode runs one limit per request (login needs
  // two) and would spread the settings over every routes file; ours attach by path and scope in one place.
  await server.register(rateLimit, { global: false })
  const limiter = (max: number, keyGenerator: (r: FastifyRequest) => string) => {
    // `cache` (the LRU's size) is read by the store from these options, though the plugin's types omit it here.
    const options = { max, timeWindow: WINDOW_MS, keyGenerator, cache: KEYS_KEPT }
    return server.createRateLimit(options)
  }

  const perToken = limiter(config.rateLimitPerMinute, (r) => `t${r.principal?.tokenId ?? r.ip}`)
  const perIp = limiter(config.loginRateLimitPerMinute, (r) => r.ip)
  // Case and spacing do not make another account (users.email is stored lower-case).
  const perEmail = limiter(config.loginRateLimitPerMinute, (r) => {
    const b = r.body as { email?: unknown; username?: unknown } | undefined
    const who = b?.email ?? b?.username
    return typeof who === 'string' ? who.trim().toLowerCase() : ''
  })

  const tokenHook = limitHook(perToken, 'per token')
  const ipHook = limitHook(perIp, 'per address')
  // preHandler: the e-mail is in the body, parsed by then; the IP limit has already counted in onRequest.
  const emailHook = limitHook(perEmail, 'per e-mail')

  server.addHook('onRoute', (route) => {
    if (!isApiPath(route.url)) return
    const add = (name: 'onRequest' | 'preHandler', hook: ReturnType<typeof limitHook>) => {
      const current: unknown = route[name]
      route[name] = [...(current ? [current].flat() : []), hook] as never
    }
    if (route.url === LOGIN_PATH && [route.method].flat().includes('POST')) {
      if (config.loginRateLimitPerMinute > 0) {
        add('onRequest', ipHook)
        add('preHandler', emailHook)
      }
    } else if (!route.config?.public && config.rateLimitPerMinute > 0) add('onRequest', tokenHook)
  })
}
