import { describe, expect, it } from 'vitest'
import type { AccountWithSync } from '../accounts/accounts.ts'
import { accountTable, table } from './format.ts'

const account: AccountWithSync = {
  id: '1',
  publicId: 'Ab3dE5gH9jK',
  kind: 'bank',
  bankType: 'sandbox',
  accountNumber: '1234567890',
  holderName: 'PT Maju Jaya',
  label: 'Kas',
  refreshMinutes: 15,
  active: true,
  sandbox: true,
  settings: {},
  nextSyncAt: null,
  createdAt: new Date('2026-11-22T00:00:00Z'),
  lastSync: {
    status: 'failed',
    startedAt: new Date('2026-11-22T03:00:00Z'),
    finishedAt: new Date('2026-11-22T03:00:30Z'),
    rowsNew: 0,
    error: 'login ditolak:\n  password salah',
  },
  balance: '15012300',
}

describe('table', () => {
  it('pads every column but the last and trims trailing space', () => {
    expect(
      table(
        ['A', 'LONG', 'C'],
        [
          ['xx', 'y', ''],
          ['x', 'yyyyyy', 'zz'],
        ],
      ),
    ).toEqual(['A   LONG    C', 'xx  y', 'x   yyyyyy  zz'])
  })
})

describe('account list', () => {
  it('shows the last sync in WIB on one line, with its error', () => {
    const [header, row] = accountTable([account])
    expect(header).toMatch(
      /^BANK_ID\s+BANK_TYPE\s+NUMBER\s+HOLDER\s+LABEL\s+INTERVAL\s+ACTIVE\s+SANDBOX\s+LAST SYNC/,
    )
    expect(row).toMatch(
      /^Ab3dE5gH9jK\s+sandbox\s+1234567890\s+PT Maju Jaya\s+Kas\s+15m\s+yes\s+yes\s+failed\s+/,
    )
    expect(row).toContain('2026-11-22 10:00:30')
    expect(row).toMatch(/login ditolak: password salah$/)
    expect(accountTable([{ ...account, lastSync: null }])[1]).toMatch(/never$/)
  })
})
