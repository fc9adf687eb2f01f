/**
 * Where a Moota list is being served, for the paginator's URLs: the absolute URL of the list and the request's query
 * parameters other than `page`, so a client following `next_page_url` keeps its filters.
 *
 * The links start at LUNAS_PUBLIC_URL, or else at the address the server listens on; never at the request's Host
 * header, which the client chooses: a forged Host would put the attacker's origin into links that a client (or a
 * cache, or a log viewer) then follows with its token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { Config } from '../../config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** LUNAS_PUBLIC_URL without its trailing slash, or undefined (links use the listen address). */
    publicUrl: string | undefined
  }
}

/** Makes LUNAS_PUBLIC_URL known to pageOrigin on every routes plugin (a decoration of the root instance). */
export function registerPublicUrl(server: FastifyInstance, config: Pick<Config, 'publicUrl'>): void {
  server.decorate('publicUrl', config.publicUrl)
}

const WILDCARD = new Set(['0.0.0.0', '::'])

/**
 * `http://HOST:PORT` as the server listens. Listening on every interface (0.0.0.0, ::) names no host, so the
 * interface this connection arrived on stands in: an address of this machine, whatever the client wrote.
 */
function listenOrigin(request: FastifyRequest): string {
  const bound = request.server.server.address() as AddressInfo | string | null
  const listening = typeof bound === 'object' && bound ? bound : null
  const local = request.socket.localAddress?.replace(/^::ffff:(?=\d+\.)/, '')
  const host = listening && !WILDCARD.has(listening.address) ? listening.address : (local ?? 'localhost')
  const port = listening?.port ?? request.socket.localPort
  return `http://${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`
}

export function pageOrigin(request: FastifyRequest): { path: string; query: Record<string, string> } {
  // One leading slash: `//api/v2/bank` (which Fastify routes) would otherwise parse as the host `api`.
  const url = new URL(request.url.replace(/^\/+/, '/'), 'http://localhost')
  url.searchParams.delete('page')
  return {
    path: `${request.server.publicUrl ?? listenOrigin(request)}${url.pathname}`,
    query: Object.fromEntries(url.searchParams),
  }
}
