/**
 * `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (a reference page rendered from it), both public.
 * Routes are collected by an onRoute hook on the root instance, so `registerOpenApi` must run before the routes
 * plugins; the document is built on the first request, once every route (including tests' extra ones) exists.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildOpenApiDocument, type OpenApiDocument, type RouteInfo } from './document.ts'
import { renderReferencePage } from './page.ts'

export const OPENAPI_PATH = '/openapi.json'
export const DOCS_PATH = '/docs'

const VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version

// The page is self-contained (inline CSS, no script): this policy lets the browser load nothing else, from anywhere.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export function registerOpenApi(server: FastifyInstance): void {
  const routes: RouteInfo[] = []
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, schema: route.schema, config: route.config })
  })

  let document: OpenApiDocument | undefined
  let page: string | undefined
  const built = () => (document ??= buildOpenApiDocument(routes, { version: VERSION }))

  server.get(OPENAPI_PATH, { config: { public: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(built()),
  )

  server.get(DOCS_PATH, { config: { public: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .send((page ??= renderReferencePage(built(), OPENAPI_PATH))),
  )
}
