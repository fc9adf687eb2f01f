/**
 * Bearer-token authentication for both surfaces, as hooks on the root instance so they apply to every route plugin.
 * Each route under /api/v2 or /v1 declares `config.scope` (or `config.public`); a route that declares neither is
 * refused at start-up, so forgetting a scope fails closed instead of exposing data.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { authenticateToken, hasScope, type Scope, type TokenPrincipal } from '../tokens/tokens.ts'
import { isApiPath, resolvedRoute } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated token's user, workspace and scopes; null on public routes. */
    principal: TokenPrincipal | null
  }
  interface FastifyContextConfig {
    /** Token scope the route needs (`api` grants every scope, `x` grants `x_read`). */
    scope?: Scope
    /** The route needs no token. */
    public?: boolean
    /** The route needs a valid token but no particular scope (e.g. logout). */
    anyScope?: boolean
  }
}

// Moota clients vary: "Bearer", "bearer", "BEARER", doubled spaces, trailing whitespace.
const BEARER = /^\s*bearer\s+(\S+)\s*$/i
// Real tokens are 48 characters; anything far longer is not worth a database round trip.
const MAX_TOKEN_LENGTH = 200

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const token = header ? BEARER.exec(header)?.[1] : undefined
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null
}

/** Throws `forbidden` unless the principal holds `scope`. */
export function requireScope(principal: TokenPrincipal, scope: Scope): void {
  if (!hasScope(principal.scopes, scope))
    throw new AppError('forbidden', `this token lacks the "${scope}" scope`)
}

/** The request's principal; only valid on routes that declare a scope. */
export function principalOf(request: FastifyRequest): TokenPrincipal {
  if (!request.principal) throw new AppError('unauthorized', 'a bearer token is required')
  return request.principal
}

export function registerAuth(server: FastifyInstance, db: Sql): void {
  server.decorateRequest('principal', null)

  server.addHook('onRoute', (route) => {
    if (!isApiPath(route.url) || route.config?.public || route.config?.scope || route.config?.anyScope) return
    throw new Error(`route ${route.method} ${route.url} must declare config.scope, config.anyScope or config.public`)
  })

  // onRequest, so that a request without a valid token is refused before its body is even parsed.
  server.addHook('onRequest', async (request) => {
    // Unknown routes answer 404 whatever the token, as Laravel matches routes before it authenticates.
    const route = resolvedRoute(request)
    if (route === null || !isApiPath(route) || request.routeOptions.config.public) return
    const token = bearerToken(request.headers.authorization)
    const principal = token ? await authenticateToken(db, token) : null
    if (!principal) throw new AppError('unauthorized', 'a valid bearer token is required')
    request.principal = principal
    request.log = request.log.child({ workspace: principal.workspace.publicId })
    const scope = request.routeOptions.config.scope
    if (scope) requireScope(principal, scope)
  })
}
