/**
 * Moota's `bank_type` spellings, kept exactly (clients classify with /va$/i and === 'qris'), each with the kind of
 * account it is and the label Moota shows. `sandbox` and `sandboxVA` are Lunas' free demo accounts.
 */
export type AccountKind = 'bank' | 'va' | 'gateway' | 'qris' | 'ewallet' | 'cash'

export interface BankType {
  id: string
  label: string
  kind: AccountKind
  sandbox?: true
}

const bank = (id: string, label: string): BankType => ({ id, label, kind: 'bank' })
const va = (id: string, label: string): BankType => ({ id, label, kind: 'va' })
const ewallet = (id: string, label: string): BankType => ({ id, label, kind: 'ewallet' })

export const BANK_TYPES: readonly BankType[] = [
  { id: 'sandbox', label: 'Sandbox Bank Transfer', kind: 'bank', sandbox: true },
  { id: 'sandboxVA', label: 'Sandbox Virtual Account', kind: 'va', sandbox: true },
  { id: 'cash', label: 'Kas (Tunai)', kind: 'cash' },
  bank('bca', 'Bank Central Asia'),
  bank('bcaGiro', 'BCA Giro'),
  bank('bcaSyariah', 'BCA Syariah'),
  bank('bni', 'Bank Negara Indonesia'),
  bank('bniBisnis', 'BNI Bisnis'),
  bank('bniBisnisSyariah', 'BNI Bisnis Syariah'),
  bank('bniSyariah', 'BNI Syariah'),
  bank('bri', 'Bank Rakyat Indonesia'),
  bank('briCms', 'BRI CMS'),
  bank('briGiro', 'BRI Giro'),
  bank('briSyariah', 'BRI Syariah'),
  bank('briSyariahCms', 'BRI Syariah CMS'),
  bank('ibbizBri', 'BRI QLola / IBBIZ'),
  bank('bsi', 'Bank Syariah Indonesia'),
  bank('bsiGiro', 'BSI Giro'),
  bank('mandiriOnline', 'Mandiri Online'),
  bank('mandiriBisnis', 'Mandiri Bisnis'),
  bank('mandiriMcm', 'Mandiri MCM'),
  bank('mandiriMcm2', 'Mandiri MCM 2'),
  bank('mandiriSyariah', 'Mandiri Syariah'),
  bank('mandiriSyariahBisnis', 'Mandiri Syariah Bisnis'),
  bank('mandiriSyariahMcm', 'Mandiri Syariah MCM'),
  bank('mayBank', 'Maybank'),
  bank('megaSyariahCms', 'Mega Syariah CMS'),
  bank('muamalat', 'Bank Muamalat'),
  bank('btnBisnis', 'BTN Bisnis'),
  bank('ocbc', 'OCBC'),
  bank('bjbBisnis', 'BJB Bisnis'),
  va('bcaVA', 'BCA Virtual Account'),
  va('bniVA', 'BNI Virtual Account'),
  va('bsiVA', 'BSI Virtual Account'),
  va('briVA', 'BRI Virtual Account'),
  va('mandiriVA', 'Mandiri Virtual Account'),
  va('permataVA', 'Permata Virtual Account'),
  va('cimbVA', 'CIMB Virtual Account'),
  va('sinarmasVA', 'Sinarmas Virtual Account'),
  va('bncVA', 'BNC Virtual Account'),
  va('muamalatVA', 'Muamalat Virtual Account'),
  { id: 'qris', label: 'QRIS', kind: 'qris' },
  ewallet('gojek', 'GoPay'),
  ewallet('ovo', 'OVO'),
  ewallet('dana', 'DANA'),
  ewallet('shopeepay', 'ShopeePay'),
]

const byId = new Map(BANK_TYPES.map((b) => [b.id, b]))

export function findBankType(id: string): BankType | undefined {
  return byId.get(id)
}
