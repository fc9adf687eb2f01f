import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasScope, SCOPES, type Scope } from '../../tokens/tokens.ts'
import { isApiPath } from '../errors.ts'
import { createTenant, startTestServer, type Tenant, type TestServer, tokenWithScopes } from '../test-support.ts'
import { CATALOGUE } from './catalogue.ts'
import { buildOpenApiDocument, grantingScopes, LUNAS_TAG, MOOTA_TAG, openApiPath } from './document.ts'
import { renderReferencePage } from './page.ts'

interface Parameter {
  name: string
  in: string
  required: boolean
  description?: string
  schema: Record<string, unknown>
}
interface Operation {
  tags: string[]
  summary: string
  operationId: string
  security: Record<string, string[]>[]
  parameters?: Parameter[]
  requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, Record<string, unknown>> } } } }
  responses: Record<string, unknown>
}
interface Doc {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, { type: string; scheme: string }> }
}

let t: TestServer
let a: Tenant
let doc: Doc
/** Registered API routes, `METHOD /fastify/:path`. */
let apiRoutes: string[]

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  const res = await t.request('GET', '/openapi.json') // no token: the document is public
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  doc = (await res.json()) as Doc
  apiRoutes = t.server.routeList().filter((r) => isApiPath(r.split(' ')[1]!))
})
afterAll(() => t?.close())

const operationOf = (route: string): Operation | undefined => {
  const [method, url] = route.split(' ') as [string, string]
  return doc.paths[openApiPath(url)]?.[method.toLowerCase()]
}

/** A path a client could call for a route, with made-up ids. */
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, 'Tid4Docs001')

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0])
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('has every registered /api/v2 and /v1 route, with its method and tag, and nothing else', () => {
    expect(apiRoutes.length).toBeGreaterThan(30)
    for (const route of apiRoutes) {
      const op = operationOf(route)
      expect(op, route).toBeDefined()
      expect(op!.tags).toEqual([route.includes(' /api/v2/') ? MOOTA_TAG : LUNAS_TAG])
    }
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(documented.sort()).toEqual(apiRoutes.map((r) => r.replace(/ .*/, (p) => ` ${openApiPath(p.slice(1))}`)).sort())
  })

  it('names each path parameter in OpenAPI form, as a required path parameter', () => {
    for (const route of apiRoutes) {
      const url = route.split(' ')[1]!
      const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1])
      expect(openApiPath(url)).not.toContain(':')
      const inPath = operationOf(route)!.parameters?.filter((p) => p.in === 'path') ?? []
      expect(inPath.map((p) => p.name), route).toEqual(names)
      for (const p of inPath) expect(p.required).toBe(true)
    }
    expect(doc.paths['/api/v2/bank/{bank_id}/refresh']?.post).toBeDefined()
  })

  it('documents the query parameters and body fields the routes validate, each with a type or words', () => {
    const mutationList = operationOf('GET /api/v2/mutation')!
    expect(mutationList.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['bank', 'bank_id', 'type', 'amount', 'start_date', 'end_date', 'tag', 'page', 'per_page']),
    )
    expect(mutationList.parameters!.find((p) => p.name === 'amount')!.schema).toEqual({ type: ['string', 'number'] })
    const store = operationOf('POST /api/v2/mutation/store/:bank_id')!.requestBody!
    expect(Object.keys(store.content['application/json'].schema.properties!)).toEqual(
      expect.arrayContaining(['amount', 'type', 'date', 'note', 'description']),
    )
    for (const route of apiRoutes) {
      const op = operationOf(route)!
      const fields = [
        ...(op.parameters ?? []).map((p) => [p.name, { ...p.schema, description: p.description }] as const),
        ...Object.entries(op.requestBody?.content['application/json'].schema.properties ?? {}),
      ]
      for (const [name, schema] of fields)
        expect(
          Object.keys(schema).some((k) => ['type', 'anyOf', 'oneOf', 'const', 'enum', '$ref'].includes(k)) ||
            typeof schema.description === 'string',
          `${route}: field "${name}" has neither a type nor a description (add one to FIELD_HINTS or the entry's fields)`,
        ).toBe(true)
    }
  })

  it('declares bearer auth, and per route the scope it needs or no security when public', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(operationOf('POST /api/v2/auth/login')!.security).toEqual([])
    expect(operationOf('GET /api/v2/mutation')!.security).toEqual([{ bearer: ['mutation_read'] }])
    expect(operationOf('POST /api/v2/auth/logout')!.security).toEqual([{ bearer: [] }])
    expect(operationOf('DELETE /v1/tokens/:id')!.security).toEqual([{ bearer: ['user'] }])
  })

  // The documented security is checked against what the server does: a token lacking the scope is refused with 403,
  // a token with exactly that scope gets past authentication, and a public route answers without a token.
  it.each(SCOPES.filter((s) => s !== 'api'))('routes documented with scope %s enforce exactly it', async (scope) => {
    const routes = apiRoutes.filter((r) => operationOf(r)!.security[0]?.bearer?.[0] === scope)
    expect(routes.length, scope).toBeGreaterThan(0)
    const lacking = SCOPES.find((s) => !hasScope([s], scope))!
    const weak = await tokenWithScopes(t.app.db, a, [lacking])
    const exact = await tokenWithScopes(t.app.db, a, [scope])
    for (const route of routes) {
      const [method, url] = route.split(' ') as [string, string]
      const refused = await t.request(method, concrete(url), { token: weak })
      expect(refused.status, `${route} with a ${lacking} token`).toBe(403)
      const allowed = await t.request(method, concrete(url), { token: exact })
      // Refused by authentication: 401, or 403 naming the scope (MootaPay's own 403 "not available" is the handler's).
      const text = await allowed.text()
      expect(allowed.status === 401 || (allowed.status === 403 && text.includes('lacks the')), route).toBe(false)
    }
  })

  it('public routes answer without a token, the others refuse it with 401', async () => {
    for (const route of apiRoutes) {
      const [method, url] = route.split(' ') as [string, string]
      const res = await t.request(method, concrete(url))
      if (operationOf(route)!.security.length === 0) expect(res.status, route).not.toBe(401)
      else expect(res.status, route).toBe(401)
    }
  })

  it('lists the scopes that grant a scope as the server decides them', () => {
    for (const scope of SCOPES)
      expect(grantingScopes(scope)).toEqual(SCOPES.filter((s) => hasScope([s], scope as Scope)))
  })
})

describe('the catalogue', () => {
  it('has an entry for every registered API route, and none for a route that does not exist', () => {
    const missing = apiRoutes.filter((r) => !(r in CATALOGUE))
    expect(missing, 'routes with no entry in src/api/openapi/catalogue.ts').toEqual([])
    const stale = Object.keys(CATALOGUE).filter((k) => !apiRoutes.includes(k))
    expect(stale, 'catalogue entries for routes that are not registered').toEqual([])
  })

  it('is merged into the document: summary, quirks and answers', () => {
    const op = operationOf('GET /api/v2/mutation') as Operation & { description: string }
    expect(op.summary).toBe(CATALOGUE['GET /api/v2/mutation']!.summary)
    expect(op.description).toContain('Moota quirks accepted:\n- `bank` or `bank_id`.')
    expect(op.description).toContain('scope `mutation_read`')
    expect(Object.keys(op.responses)).toEqual(['200', '401', '403', '404', '422'])
    expect(Object.keys(operationOf('POST /v1/accounts/:id/refresh')!.responses)).toContain('202')
  })

  it('an API route without an entry still gets an operation, named by its key', () => {
    const built = buildOpenApiDocument([{ method: 'GET', url: '/v1/new-thing', config: { scope: 'bank_read' } }], {
      version: '0',
      catalogue: {},
    })
    expect(built.paths['/v1/new-thing']?.get).toMatchObject({ summary: 'GET /v1/new-thing' })
  })
})

describe('GET /docs', () => {
  let html: string
  let res: Response
  beforeAll(async () => {
    res = await t.request('GET', '/docs')
    html = await res.text()
  })

  it('is a public HTML page listing every operation', () => {
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    for (const route of apiRoutes) expect(html, route).toContain(`id="${operationOf(route)!.operationId}"`)
    expect(html).toContain('Moota quirks accepted')
    expect(html).toContain('href="/openapi.json"')
  })

  it('loads nothing from another origin: no script, no absolute URLs, and a policy that forbids them', () => {
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/https?:\/\//i)
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i) // protocol-relative
    for (const [, url] of html.matchAll(/(?:href|src|action)="([^"]*)"/g)) expect(url).toMatch(/^[#/][^/]/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/https?:/)
  })

  it('escapes the text it renders', () => {
    const built = buildOpenApiDocument([{ method: 'GET', url: '/v1/x', config: { public: true } }], {
      version: '0',
      catalogue: { 'GET /v1/x': { summary: '<script>alert(1)</script>', responses: { 200: { description: 'a & b' } } } },
    })
    const page = renderReferencePage(built, '/openapi.json')
    expect(page).not.toContain('<script>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).toContain('a &amp; b')
  })
})
