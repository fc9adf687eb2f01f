/**
 * Where webhook deliveries may connect. A merchant types the URL, so without a guard Lunas would POST, from inside
 * the operator's network, to loopback admin ports, the LAN or a cloud metadata service. By default only public
 * unicast addresses are reachable; `LUNAS_WEBHOOK_ALLOW_NETWORKS` opens named ranges (self-hosters, tests).
 *
 * The address is checked three times (reference/webhooks.md §1.2, §6): each DNS answer before connecting (a
 * denied answer is dropped; none left is an error), an IP-literal host before connecting (Node skips the lookup
 * for literals), and the socket's actual remote address after connecting. WHATWG URL parsing has already turned
 * `http://2130706433/`, `http://0x7f.1/` and `[::ffff:127.0.0.1]` into canonical addresses by then.
 * Pure policy plus the two hooks; createWebhookAgent (send.ts) puts them into an undici Agent, and send() never
 * follows a redirect.
 */
import { lookup as dnsLookup } from 'node:dns'
import { BlockList, isIP, isIPv4, isIPv6, type LookupFunction } from 'node:net'
// Types only: config.ts imports this file, and every CLI command should not pay for loading undici.
import type { buildConnector } from 'undici'

/** Code of the error a denied address raises, for send.ts' classification. */
export const BLOCKED = 'LUNAS_WEBHOOK_BLOCKED'

/**
 * A delivery refused by the policy. The message names the host as the merchant typed it and never the address it
 * resolved or connected to: it reaches the merchant (attempt records, Moota's history, the CLI), and the DNS answers
 * of the operator's network are not theirs to map. `reason` is the message without the "blocked: " that send.ts
 * and the worker already prefix as the failure's kind.
 */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError'
  readonly code = BLOCKED
  readonly reason: string
  constructor(host: string) {
    const reason = `private address (${host}); LUNAS_WEBHOOK_ALLOW_NETWORKS can allow it`
    super(`blocked: ${reason}`)
    this.reason = reason
  }
}

// Everything that is not public unicast (IANA special-purpose registries, as Svix's resolver drops them); checked
// against the IPv4 and IPv6 registries of 2025. 255.255.255.255 is inside 240.0.0.0/4, ::/128 and ::1 inside ::/96.
const DENIED_V4 = [
  '0.0.0.0/8', // "this network"; Linux connects 0.0.0.0 to localhost
  '10.0.0.0/8',
  '100.64.0.0/10', // CGNAT; also Alibaba's metadata 100.100.100.200
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata 169.254.169.254
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
]
// ::ffff:0:0/96 (IPv4-mapped) is not listed: normalise() checks those as the IPv4 they are.
const DENIED_V6 = [
  '::/96', // unspecified, loopback, deprecated IPv4-compatible
  '::ffff:0:0:0/96', // IPv4-translated (SIIT, RFC 2765): ::ffff:0:a.b.c.d, which the mapped check does not see
  '64:ff9b::/96', // NAT64: reaches whatever IPv4 is embedded
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/23', // IETF protocol assignments, incl. Teredo 2001::/32
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds an IPv4
  '3fff::/20', // documentation
  '5f00::/16', // SRv6 segment identifiers
  'fc00::/7', // unique local, incl. AWS metadata fd00:ec2::254
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
]

function addSubnet(list: BlockList, cidr: string): void {
  const [address, prefix] = cidr.split('/') as [string, string]
  list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6')
}

const DENY = new BlockList()
for (const cidr of [...DENIED_V4, ...DENIED_V6]) addSubnet(DENY, cidr)

/**
 * Parses a comma-separated CIDR list (`127.0.0.0/8,::1/128`; a bare address means just that address) into
 * canonical entries. Throws with a readable message naming the first bad entry.
 */
export function parseNetworks(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(',')) {
    const entry = raw.trim()
    if (!entry) continue
    const [address = '', prefix, extra] = entry.split('/')
    const family = isIP(address)
    const max = family === 4 ? 32 : 128
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN
    if (!family || extra !== undefined || !(bits >= 0 && bits <= max))
      throw new TypeError(`"${entry}" is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8`)
    out.push(`${address}/${bits}`)
  }
  return out
}

interface Checked {
  address: string
  family: 'ipv4' | 'ipv6'
  /** The IPv4 address a translating form carries; it must be allowed as well. */
  embedded?: string
}

/** The eight 16-bit groups of a WHATWG-canonical IPv6 address (hex groups only, at most one `::`). */
function groups(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::')
  const part = (text: string) => (text ? text.split(':').map((g) => parseInt(g, 16)) : [])
  const [h, t] = [part(head), part(tail ?? '')]
  return tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t]
}

const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.')
const zeros = (g: readonly number[], from: number, to: number) => g.slice(from, to).every((x) => x === 0)

/**
 * The IPv4 address a translating IPv6 form reaches: NAT64 (64:ff9b::/96 and local-use 64:ff9b:1::/48, RFC 6052's
 * /96 layout with the IPv4 last), IPv4-translated ::ffff:0:0:0/96, and 6to4 2002:AABB:CCDD::/48. Denied by
 * default; when an operator opens one (an IPv6-only host behind DNS64), the IPv4 inside must still be allowed, or
 * 64:ff9b::7f00:1 would reach the translator's loopback.
 */
function embeddedV4(g: readonly number[]): string | undefined {
  const [a, b, c] = g as [number, number, number]
  if (a === 0x64 && b === 0xff9b && (c === 1 || (c === 0 && zeros(g, 3, 6)))) return v4(g[6]!, g[7]!)
  if (zeros(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!)
  if (a === 0x2002) return v4(b, c)
  return undefined
}

/** An address as the policy checks it: no zone id, an IPv4-mapped IPv6 address as its IPv4, any embedded IPv4. */
function normalise(address: string): Checked | null {
  const zone = address.indexOf('%')
  const bare = zone < 0 ? address : address.slice(0, zone)
  if (isIPv4(bare)) return { address: bare, family: 'ipv4' }
  if (!isIPv6(bare)) return null
  // WHATWG's serialiser prints every IPv6 address in one compressed hex form, so ::ffff:127.0.0.1 and
  // ::ffff:7f00:1 and 0:0:0:0:0:ffff:7f00:1 all come out as ::ffff:7f00:1.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1)
  const g = groups(canonical)
  if (zeros(g, 0, 5) && g[5] === 0xffff) return { address: v4(g[6]!, g[7]!), family: 'ipv4' }
  const embedded = embeddedV4(g)
  return { address: canonical, family: 'ipv6', ...(embedded ? { embedded } : {}) }
}

export interface NetworkPolicy {
  /** Whether a delivery may connect to this IP address. Anything that is not an IP address is refused. */
  allowed(address: string): boolean
}

/** The default deny list, minus the ranges in `allow` (canonical CIDRs, see parseNetworks). */
export function networkPolicy(allow: readonly string[] = []): NetworkPolicy {
  const opened = new BlockList()
  for (const cidr of parseNetworks(allow.join(','))) addSubnet(opened, cidr)
  return {
    allowed(address) {
      const a = normalise(address)
      if (!a) return false
      const ok = (ip: string, family: 'ipv4' | 'ipv6') => opened.check(ip, family) || !DENY.check(ip, family)
      return ok(a.address, a.family) && (a.embedded === undefined || ok(a.embedded, 'ipv4'))
    },
  }
}

/**
 * A DNS lookup that answers only allowed addresses. `resolve` is the real lookup (dns.lookup by default; tests
 * inject an answer here and keep everything after it real).
 */
export function guardedLookup(policy: NetworkPolicy, resolve: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, answer, family) => {
      if (err) return callback(err, '')
      const all = typeof answer === 'string' ? [{ address: answer, family: family ?? isIP(answer) }] : answer
      const ok = all.filter((a) => policy.allowed(a.address))
      if (!ok.length) return callback(new BlockedAddressError(hostname), '')
      if (options.all) callback(null, ok)
      else callback(null, ok[0]!.address, ok[0]!.family)
    })
  }
}

/**
 * Wraps an undici connector: refuses a denied IP-literal host before any packet is sent, and after connecting
 * refuses (and closes) a socket whose remote address is denied, whatever the lookup said.
 */
export function guardConnector(base: buildConnector.connector, policy: NetworkPolicy): buildConnector.connector {
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1')
    if (isIP(host) && !policy.allowed(host)) return callback(new BlockedAddressError(host), null)
    base(options, (err, socket) => {
      if (err) return callback(err, null)
      const remote = socket!.remoteAddress
      if (remote && policy.allowed(remote)) return callback(null, socket!)
      socket!.destroy()
      callback(new BlockedAddressError(host), null)
    })
  }
}
