import { describe, expect, it } from 'vitest'
import type { MootaMutation } from '../../ledger/moota-list.ts'
import { formatLaravel } from '../../shared/time.ts'
import { presentMootaBank, presentMootaMutation } from './presenters.ts'

const account = {
  id: '7',
  publicId: 'VLagzqBj42D',
  kind: 'bank' as const,
  bankType: 'bca',
  accountNumber: '235264741',
  holderName: 'Moota',
  label: 'BCA',
  refreshMinutes: 15,
  active: true,
  sandbox: false,
  settings: { secretish: 'x' },
  nextSyncAt: new Date('2021-09-24T04:16:57Z'),
  createdAt: new Date('2021-09-24T04:01:57.123456Z'),
}

describe('presentMootaBank', () => {
  it("has the fixture's keys and types, no credentials and no settings", () => {
    const bank = presentMootaBank({ ...account, balance: '16868600', lastUpdate: new Date('2021-09-24T03:46:57Z') })
    expect(bank).toEqual({
      corporate_id: null,
      username: '',
      atas_nama: 'Moota',
      balance: '168686.00',
      account_number: '235264741',
      bank_type: 'bca',
      login_retry: 0,
      date_from: null,
      date_to: null,
      meta: null,
      interval_refresh: 15,
      next_queue: '2021-09-24 11:16:57',
      is_active: true,
      in_queue: 0,
      in_progress: 0,
      recurred_at: null,
      created_at: '2021-09-24 11:01:57',
      token: 'VLagzqBj42D',
      bank_id: 'VLagzqBj42D',
      label: 'BCA',
      last_update: '2021-09-24T03:46:57.000000Z',
      sandbox: false,
    })
  })

  it('shows a missing balance as "0.00" and missing times as null', () => {
    const bank = presentMootaBank({ ...account, nextSyncAt: null, balance: null })
    expect(bank).toMatchObject({ balance: '0.00', next_queue: null, last_update: null })
    expect(presentMootaBank({ ...account, balance: -150n }).balance).toBe('-1.50')
  })
})

describe('presentMootaMutation', () => {
  it('writes money as decimal strings, dates in WIB and mirrors the id in token', () => {
    const m: MootaMutation = {
      publicId: 'aolk4PekJxM',
      type: 'CR',
      amount: 10012300n,
      balance: null,
      description: 'buy other food',
      note: '',
      occurredAt: new Date('2021-10-04T17:00:00Z'),
      createdAt: new Date('2021-10-05T03:25:16Z'),
      updatedAt: new Date('2021-10-05T03:25:16Z'),
      account: { ...account, balance: null, lastUpdate: null },
      taggings: [{ name: 'car', tagId: 'M1Z6zK0jJDY' }],
    }
    expect(presentMootaMutation(m)).toMatchObject({
      account_number: '235264741',
      date: '2021-10-05 00:00:00',
      amount: '100123.00',
      type: 'CR',
      balance: '0.00',
      created_at: '2021-10-05 10:25:16',
      mutation_id: 'aolk4PekJxM',
      token: 'aolk4PekJxM',
      bank_id: 'VLagzqBj42D',
      bank_type: 'bca',
      taggings: [{ name: 'car', tag_id: 'M1Z6zK0jJDY' }],
    })
  })

  it('formats Laravel ISO with microseconds', () => {
    expect(formatLaravel(new Date('2021-09-24T03:46:57.5Z'))).toBe('2021-09-24T03:46:57.500000Z')
  })
})
