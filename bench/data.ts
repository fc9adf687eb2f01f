/**
 * Synthetic bank statements for the benchmarks: whole WIB days of realistic Indonesian mutations (BCA/BI-FAST style
 * narratives, payments carrying a "kode unik", fees, ATM withdrawals) with a running balance, as statement-file and
 * internet-banking sources deliver them. Seeded, so every run stores the same rows and figures compare across runs.
 */
import type { SourceRow } from '../src/ledger/types.ts'

/** mulberry32: tiny, fast and good enough to vary amounts and names; not for anything secret. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const NAMES = [
  'BUDI SANTOSO',
  'SITI AMINAH',
  'AGUS SETIAWAN',
  'DEWI LESTARI',
  'RINA WULANDARI',
  'ANDI PRATAMA',
  'SRI WAHYUNI',
  'JOKO SUSILO',
  'PUTRI AYU NINGSIH',
  'HENDRA GUNAWAN',
  'NUR HIDAYAH',
  'YUSUF MAULANA',
  'FITRI HANDAYANI',
  'RUDI HARTONO',
  'WAHYU NUGROHO',
  'INDAH PERMATASARI',
  'PT SINAR ABADI SENTOSA',
  'CV BERKAH JAYA MANDIRI',
  'TOKO MAKMUR SEJAHTERA',
  'KOPERASI KARYA BERSAMA',
] as const

// BI bank codes seen in BI-FAST and SKN narratives: BRI, Mandiri, BNI, Danamon, Permata, CIMB, BSI, Jago.
export const BANK_CODES = ['002', '008', '009', '011', '013', '022', '451', '542'] as const
// Prices merchants charge before the unique code is added (rupiah).
export const PRICES = [
  25_000, 49_000, 75_000, 99_000, 150_000, 175_000, 250_000, 499_000, 750_000, 1_250_000, 2_500_000,
]

const pick = <T>(rng: () => number, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!
const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `15012300n` sen → `"150123.00"`: sources hand the ledger rupiah text, never floats. */
export function rupiahText(sen: bigint): string {
  const neg = sen < 0n
  const abs = neg ? -sen : sen
  return `${neg ? '-' : ''}${abs / 100n}.${pad(Number(abs % 100n))}`
}

/** `YYYY-MM-DD` plus `n` days (WIB days have no DST, so UTC arithmetic is exact). */
export function addDays(day: string, n: number): string {
  const t = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)))
  return new Date(t + n * 86_400_000).toISOString().slice(0, 10)
}

interface Draft {
  type: 'CR' | 'DB'
  sen: bigint
  description: string
}

/** One mutation's narrative and amount; credits dominate, as on a merchant's receiving account. */
function draft(rng: () => number, day: string, serial: number): Draft {
  const ddmm = `${day.slice(8, 10)}/${day.slice(5, 7)}`
  const name = pick(rng, NAMES)
  const r = rng()
  if (r < 0.78) {
    // A customer's payment: price + kode unik (1–999), the amount the merchant matches orders on.
    const sen = BigInt(pick(rng, PRICES) + 1 + Math.floor(rng() * 999)) * 100n
    const rupiah = rupiahText(sen)
    const forms = [
      `TRSF E-BANKING CR ${ddmm}/FTSCY/WS95031 ${rupiah} ${name}`,
      `BI-FAST CR BIF TRANSFER DR ${pick(rng, BANK_CODES)} ${name}`,
      `SWITCHING CR TRANSFER DR ${pick(rng, BANK_CODES)} ${name}`,
      `KR OTOMATIS LLG-${pick(rng, ['BRI', 'MANDIRI', 'BNI', 'CIMB NIAGA'])} ${name} INV/2026/${pad(serial, 7)}`,
      `TRANSFER DARI ${name} PEMBAYARAN PESANAN #${pad(serial, 7)}`,
      `SETORAN TUNAI ${ddmm} ${name}`,
    ]
    return { type: 'CR', sen, description: pick(rng, forms) }
  }
  if (r < 0.9)
    return { type: 'DB', sen: pick(rng, [250_000n, 650_000n, 1_000_000n]), description: pickFee(rng, ddmm) }
  if (r < 0.95) {
    const sen = BigInt(pick(rng, [100_000, 200_000, 500_000, 1_000_000])) * 100n
    return { type: 'DB', sen, description: `TARIKAN ATM ${ddmm} ${pad(Math.floor(rng() * 1e6), 6)}` }
  }
  // Paying a supplier, sometimes with sen (partial invoices).
  const sen = BigInt(Math.floor(rng() * 5_000_000) + 100_000) * 100n + BigInt(Math.floor(rng() * 100))
  return { type: 'DB', sen, description: `BI-FAST DB BIF TRANSFER KE ${pick(rng, BANK_CODES)} ${name}` }
}

function pickFee(rng: () => number, ddmm: string): string {
  return pick(rng, [
    'BIAYA ADM',
    `BIAYA TXN BI-FAST ${ddmm}`,
    `DB OTOMATIS PAJAK BUNGA ${ddmm}`,
    `TRSF E-BANKING DB ${ddmm}/FTFVA/WS95051 PLN PASCABAYAR`,
  ])
}

/**
 * A statement source for one account: each call returns the next whole WIB days, in the source's order, with
 * running balances that continue across calls (so the ledger finds no gaps).
 */
export class StatementSource {
  private readonly rng: () => number
  private balance: bigint
  private serial = 0

  constructor(
    seed: number,
    private nextDay: string,
    openingBalanceSen = 50_000_000_00n,
  ) {
    this.rng = makeRng(seed)
    this.balance = openingBalanceSen
  }

  /** The next `days` whole days of `rowsPerDay` mutations each. */
  days(days: number, rowsPerDay: number): SourceRow[] {
    const rows: SourceRow[] = []
    for (let d = 0; d < days; d++) {
      const day = this.nextDay
      this.nextDay = addDays(day, 1)
      const seconds = Array.from({ length: rowsPerDay }, () => Math.floor(this.rng() * 86_400)).sort(
        (a, b) => a - b,
      )
      for (const s of seconds) rows.push(this.row(day, s))
    }
    return rows
  }

  private row(day: string, second: number): SourceRow {
    let m = draft(this.rng, day, ++this.serial)
    // Never overdraw in the synthetic data: turn the debit into a payment instead.
    if (m.type === 'DB' && this.balance < m.sen) m = { ...m, type: 'CR' }
    this.balance += m.type === 'CR' ? m.sen : -m.sen
    const date = `${day} ${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)}`
    const amount = rupiahText(m.sen)
    const balance = rupiahText(this.balance)
    // What a statement-file connector keeps as the raw input: the line as the bank printed it.
    const raw = `${date.slice(0, 10)};${m.description};${amount};${m.type};${balance}`
    return { date, amount, type: m.type, description: m.description, balance, raw }
  }
}

/**
 * One simulated payment with its own reference (gateway id, simulator reference): what one-by-one sources send.
 * No balance, as gateways report none.
 */
export function referencedRow(rng: () => number, i: number, at: Date): SourceRow {
  const sen = BigInt(pick(rng, PRICES) + 1 + Math.floor(rng() * 999)) * 100n
  return {
    date: at,
    amount: rupiahText(sen),
    type: 'CR',
    description: `SIMULASI TRANSFER DARI ${pick(rng, NAMES)}`,
    reference: `SIM-${pad(i, 8)}`,
    raw: { reference: `SIM-${pad(i, 8)}`, amount: rupiahText(sen) },
  }
}
