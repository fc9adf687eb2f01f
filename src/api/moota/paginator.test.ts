import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { paginate } from './paginator.ts'

const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/moota-api/BankAccount/MockingListBankAccountResponse.json', import.meta.url), 'utf8'),
)

describe('Laravel paginator', () => {
  it('matches Moota’s envelope for a single page, field for field', () => {
    const page = paginate({ path: 'http://moota.test/api/v2/bank', page: 1, perPage: 20, total: 6, data: fixture.data })
    expect(page).toEqual(fixture)
  })

  it('links the next and previous pages, keeping the filters', () => {
    const page = paginate({
      path: 'http://h/api/v2/mutation',
      query: { bank: 'VLagzqBj42D', type: 'CR' },
      page: 2,
      perPage: 10,
      total: 25,
      data: new Array(10).fill({}),
    })
    expect(page).toMatchObject({ current_page: 2, last_page: 3, from: 11, to: 20, total: 25 })
    expect(page.next_page_url).toBe('http://h/api/v2/mutation?bank=VLagzqBj42D&type=CR&page=3')
    expect(page.prev_page_url).toBe('http://h/api/v2/mutation?bank=VLagzqBj42D&type=CR&page=1')
  })

  it('answers a page past the end with an empty page, not an error', () => {
    const page = paginate({ path: 'http://h/x', page: 9, perPage: 10, total: 25, data: [] })
    expect(page).toMatchObject({ data: [], from: null, to: null, last_page: 3, next_page_url: null })
  })

  it('shortens the links of many pages the way Laravel does', () => {
    const labels = (current: number) =>
      paginate({ path: 'http://h/x', page: current, perPage: 10, total: 1000, data: [] }).links.map((l) => l.label)
    expect(labels(1)).toEqual(['Sebelumnya', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '...', '99', '100', 'Selanjutnya'])
    expect(labels(50)).toEqual(['Sebelumnya', '1', '2', '...', '47', '48', '49', '50', '51', '52', '53', '...', '99', '100', 'Selanjutnya'])
  })
})
