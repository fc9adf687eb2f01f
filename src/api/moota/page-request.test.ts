/**
 * Where Moota's page links point, over real HTTP: at LUNAS_PUBLIC_URL when it is set, else at the address the
 * server listens on; never at the request's Host header, which anyone can set (a cache or a log viewer that
 * follows `next_page_url` would then call the attacker's host with the client's token).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTenant, rawRequest, startTestServer, type TestServer } from '../test-support.ts'

let t: TestServer | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function bankPage(env: Record<string, string>, path = '/api/v2/bank?per_page=1&page=1') {
  t = await startTestServer(undefined, env)
  const { token } = await createTenant(t.app.db)
  const res = await rawRequest(t.url, 'GET', path, { Authorization: `Bearer ${token}`, Host: 'evil.example' })
  expect(res.status).toBe(200)
  expect(res.text).not.toContain('evil.example')
  return JSON.parse(res.text) as Record<string, unknown>
}

describe('Moota page links', () => {
  it('use LUNAS_PUBLIC_URL (with its path), whatever Host the request sent', async () => {
    const page = await bankPage({ LUNAS_PUBLIC_URL: 'https://lunas.example.com/kedai/' })
    expect(page).toMatchObject({
      path: 'https://lunas.example.com/kedai/api/v2/bank',
      first_page_url: 'https://lunas.example.com/kedai/api/v2/bank?per_page=1&page=1',
    })
  })

  it('use the listen address when LUNAS_PUBLIC_URL is unset', async () => {
    const page = await bankPage({})
    expect(page).toMatchObject({ path: `${t!.url}/api/v2/bank`, first_page_url: `${t!.url}/api/v2/bank?per_page=1&page=1` })
  })

  it('keep the whole path when the client doubled its leading slash', async () => {
    const page = await bankPage({}, '//api/v2/bank')
    expect(page.path).toBe(`${t!.url}/api/v2/bank`)
  })
})
