/**
 * Where a Moota list is being served, for the paginator's URLs: the absolute URL of the list and the request's query
 * parameters other than `page`, so a client following `next_page_url` keeps its filters.
 */
import type { FastifyRequest } from 'fastify'

export function pageOrigin(request: FastifyRequest): { path: string; query: Record<string, string> } {
  const url = new URL(request.url, 'http://localhost')
  url.searchParams.delete('page')
  return {
    path: `${request.protocol}://${request.host}${url.pathname}`,
    query: Object.fromEntries(url.searchParams),
  }
}
