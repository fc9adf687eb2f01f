/**
 * The OpenAPI 3.1 document, built from the routes as registered (method, URL, zod schemas, `config.scope`) and the
 * hand-written catalogue (summaries, Moota quirks, response shapes). Request schemas come only from the routes, so
 * the document cannot promise a parameter the server does not read; the catalogue only adds words and answers.
 * Pure: `registerOpenApi` (openapi.ts) feeds it the routes it collected.
 */
import { z } from 'zod'
import { SCOPES, type Scope } from '../../tokens/tokens.ts'
import { isApiPath, MOOTA_PREFIX } from '../errors.ts'
import { CATALOGUE, type CatalogueEntry, FIELD_HINTS, type FieldHint } from './catalogue.ts'
import { ERROR_SCHEMAS } from './responses.ts'

/** A JSON Schema object (draft 2020-12, OpenAPI 3.1's dialect). */
export type JsonSchema = Record<string, unknown>

/** What the generator needs of a registered route (a slice of Fastify's RouteOptions). */
export interface RouteInfo {
  method: string
  url: string
  schema?: { params?: unknown; querystring?: unknown; body?: unknown } | undefined
  config?: { scope?: Scope; public?: boolean; anyScope?: boolean } | undefined
}

export const MOOTA_TAG = 'Moota v2'
export const LUNAS_TAG = 'Lunas v1'
const SECURITY_SCHEME = 'bearer'

/** `METHOD /path` as routeList() and the catalogue spell it. */
export const routeKey = (r: Pick<RouteInfo, 'method' | 'url'>) => `${r.method} ${r.url}`

/** Fastify's `/bank/:bank_id/refresh` as OpenAPI's `/bank/{bank_id}/refresh`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}')

const pathParamNames = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)

const isZod = (s: unknown): s is z.ZodType => s instanceof z.ZodType

/**
 * A zod schema as the JSON Schema of what a client may send (`io: 'input'`): field parsers (`z.unknown().transform`)
 * become `{}` here and get their words from the catalogue's field hints.
 */
export function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema
  return rest
}

/** A response schema as the JSON Schema of what the server sends. */
export function outputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema
  return rest
}

/** A field schema with its hint applied: the hint's description always, its schema only where zod said nothing. */
function withHint(field: string, schema: JsonSchema, entry: CatalogueEntry | undefined): JsonSchema {
  const hint: FieldHint | undefined = entry?.fields?.[field] ?? FIELD_HINTS[field]
  if (!hint) return schema
  const empty = Object.keys(schema).filter((k) => k !== 'default').length === 0
  return { ...(empty && hint.schema ? hint.schema : {}), ...schema, description: hint.description }
}

function objectProperties(schema: JsonSchema): { properties: Record<string, JsonSchema>; required: string[] } {
  return {
    properties: (schema.properties ?? {}) as Record<string, JsonSchema>,
    required: (schema.required ?? []) as string[],
  }
}

/** Scopes that satisfy `scope`, as hasScope decides: itself, its write form for `x_read`, and `api`. */
export function grantingScopes(scope: Scope): Scope[] {
  const write = scope.endsWith('_read') ? (scope.slice(0, -5) as Scope) : null
  return SCOPES.filter((s) => s === scope || s === write || s === 'api')
}

function securityOf(route: RouteInfo) {
  if (route.config?.public) return { security: [], words: 'Public: no token needed.' }
  const scope = route.config?.scope
  if (!scope) return { security: [{ [SECURITY_SCHEME]: [] }], words: 'Needs a valid token; any scope.' }
  const granting = grantingScopes(scope).map((s) => `\`${s}\``)
  return {
    security: [{ [SECURITY_SCHEME]: [scope] }],
    words: `Needs a token with scope \`${scope}\` (granted by ${granting.join(', ')}).`,
  }
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: unknown, type = 'application/json') => ({ [type]: { schema } })

/** The error answers every route of a surface can give, from errors.ts' shapes. */
function errorResponses(route: RouteInfo, moota: boolean, validates: boolean) {
  const body = (mootaSchema: string) => (moota ? json(ref(mootaSchema)) : json(ref('Problem'), 'application/problem+json'))
  const out: Record<string, unknown> = {}
  if (!route.config?.public) out['401'] = { description: 'Missing, unknown or revoked token.', content: body('MootaUnauthenticated') }
  if (route.config?.scope) out['403'] = { description: 'The token lacks the scope.', content: body('MootaMessage') }
  if (pathParamNames(route.url).length)
    out['404'] = { description: 'No such object in the token’s workspace.', content: body('MootaNotFound') }
  if (validates) out['422'] = { description: 'The request failed validation.', content: body('MootaValidation') }
  return out
}

function operation(route: RouteInfo, entry: CatalogueEntry | undefined) {
  const moota = route.url.startsWith(`${MOOTA_PREFIX}/`)
  const { security, words } = securityOf(route)
  const schema = route.schema ?? {}
  const parameters: unknown[] = []

  // A parameter's words sit on the parameter, not inside its schema, where viewers look for them.
  const parameter = (name: string, where: 'path' | 'query', required: boolean, schema: JsonSchema) => {
    const { description, ...rest } = withHint(name, schema, entry)
    return { name, in: where, required, ...(description ? { description } : {}), schema: rest }
  }
  const paramsSchema = isZod(schema.params) ? objectProperties(inputSchema(schema.params)).properties : {}
  for (const name of pathParamNames(route.url))
    parameters.push(parameter(name, 'path', true, paramsSchema[name] ?? { type: 'string' }))
  if (isZod(schema.querystring)) {
    const { properties, required } = objectProperties(inputSchema(schema.querystring))
    for (const [name, s] of Object.entries(properties)) parameters.push(parameter(name, 'query', required.includes(name), s))
  }

  let requestBody: unknown
  if (isZod(schema.body)) {
    const bodySchema = inputSchema(schema.body)
    const { properties } = objectProperties(bodySchema)
    const hinted = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, withHint(k, s, entry)]))
    requestBody = {
      // Moota clients send no body, `null` or `[]` where every field is optional: then the body is optional too.
      required: !schema.body.safeParse(undefined).success,
      content: json({ ...bodySchema, ...(bodySchema.properties ? { properties: hinted } : {}) }),
    }
  }

  const validates = [schema.params, schema.querystring, schema.body].some(isZod)
  const responses: Record<string, unknown> = { ...errorResponses(route, moota, validates) }
  for (const [status, r] of Object.entries(entry?.responses ?? { 200: { description: 'OK' } }))
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: json(outputSchema(r.schema), r.contentType) } : {}),
    }

  const quirks = entry?.quirks?.length ? `\n\nMoota quirks accepted:\n${entry.quirks.map((q) => `- ${q}`).join('\n')}` : ''
  return {
    tags: [moota ? MOOTA_TAG : LUNAS_TAG],
    summary: entry?.summary ?? routeKey(route),
    description: `${entry?.description ? `${entry.description}\n\n` : ''}${words}${quirks}`,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.url).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.config?.scope ? { 'x-scope': route.config.scope } : {}),
    security,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  }
}

export interface DocumentOptions {
  version: string
  catalogue?: Record<string, CatalogueEntry>
}

/** The document for the API routes (`/api/v2`, `/v1`) among `routes`; HEAD and non-API routes are left out. */
export function buildOpenApiDocument(routes: readonly RouteInfo[], options: DocumentOptions) {
  const catalogue = options.catalogue ?? CATALOGUE
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    if (route.method === 'HEAD' || !isApiPath(route.url)) continue
    const path = openApiPath(route.url)
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, catalogue[routeKey(route)]) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lunas API',
      version: options.version,
      summary: 'Self-hosted bank-mutation ledger: a Moota-compatible API v2 and Lunas’ own API.',
      description: [
        '`/api/v2` answers as Moota’s API v2 does (Laravel paginator, decimal-string money, WIB dates, 11-character ids,',
        '`{"message": …}` errors), so Moota clients work by changing only their base URL. `/v1` is Lunas’ own API',
        '(cursor pagination, `application/problem+json` errors). Every route needs `Authorization: Bearer <token>`',
        'with the scope it names, except the public ones. A token with `api` has every scope; `x` grants `x_read`.',
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: MOOTA_TAG, description: 'Drop-in Moota API v2, under `/api/v2`.' },
      { name: LUNAS_TAG, description: 'Lunas’ own API, under `/v1`.' },
    ],
    security: [{ [SECURITY_SCHEME]: [] }],
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal access token (`lns_pat_…`, from `lunas token create`, `POST /v1/tokens` or `POST /api/v2/auth/login`). ' +
            `Scopes: ${SCOPES.map((s) => `\`${s}\``).join(', ')}.`,
        },
      },
      schemas: Object.fromEntries(Object.entries(ERROR_SCHEMAS).map(([name, s]) => [name, outputSchema(s)])),
    },
  }
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>
