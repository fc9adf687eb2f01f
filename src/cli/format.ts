/** Pure formatting of CLI results: plain-text tables for people, JSON for scripts. */
import type { AccountWithSync } from '../accounts/accounts.ts'
import { formatWib } from '../shared/time.ts'

/** Left-aligned columns separated by two spaces; the last column is not padded (it may hold long error text). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no')
// Error texts can span lines (stack-like provider messages); a table row must stay one line.
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim()

export function accountTable(accounts: readonly AccountWithSync[]): string[] {
  return table(
    [
      'BANK_ID',
      'BANK_TYPE',
      'NUMBER',
      'HOLDER',
      'LABEL',
      'INTERVAL',
      'ACTIVE',
      'SANDBOX',
      'LAST SYNC',
      'AT (WIB)',
      'NEW',
      'ERROR',
    ],
    accounts.map((a) => [
      a.publicId,
      a.bankType,
      a.accountNumber,
      a.holderName,
      a.label,
      `${a.refreshMinutes}m`,
      yesNo(a.active),
      yesNo(a.sandbox),
      a.lastSync?.status ?? 'never',
      a.lastSync ? formatWib(a.lastSync.finishedAt ?? a.lastSync.startedAt) : '',
      a.lastSync ? String(a.lastSync.rowsNew) : '',
      oneLine(a.lastSync?.error ?? ''),
    ]),
  )
}

