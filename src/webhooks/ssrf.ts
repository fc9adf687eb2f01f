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

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError'
  readonly code = BLOCKED
  constructor(host: string, address: string | undefined) {
    super(
      `${host}${address && address !== host ? ` (${address})` : ''} is not a public address; ` +
        'LUNAS_WEBHOOK_ALLOW_NETWORKS can allow it',
    )
  }
}

// Everything that is not public unicast (IANA special-purpose registries, as Svix's resolver drops them).
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
const DENIED_V6 = [
  '::/96', // unspecified, loopback, deprecated IPv4-compatible
  '64:ff9b::/96', // NAT64: reaches whatever IPv4 is embedded
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/23', // IETF protocol assignments, incl. Teredo 2001::/32
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds an IPv4
  '3fff::/20', // documentation
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

/** An address as the policy checks it: no zone id, and an IPv4-mapped IPv6 address as its IPv4. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const bare = address.replace(/%.*$/, '')
  if (isIPv4(bare)) return { address: bare, family: 'ipv4' }
  if (!isIPv6(bare)) return null
  // WHATWG's serialiser prints every IPv6 address in one compressed hex form, so ::ffff:127.0.0.1 and
  // ::ffff:7f00:1 and 0:0:0:0:0:ffff:7f00:1 all come out as ::ffff:7f00:1.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1)
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical)
  if (!mapped) return { address: canonical, family: 'ipv6' }
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)]
  return { address: [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'), family: 'ipv4' }
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
      return opened.check(a.address, a.family) || !DENY.check(a.address, a.family)
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
      if (!ok.length) return callback(new BlockedAddressError(hostname, all[0]?.address), '')
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
    if (isIP(host) && !policy.allowed(host)) return callback(new BlockedAddressError(host, host), null)
    base(options, (err, socket) => {
      if (err) return callback(err, null)
      const remote = socket!.remoteAddress
      if (remote && policy.allowed(remote)) return callback(null, socket!)
      socket!.destroy()
      callback(new BlockedAddressError(host, remote), null)
    })
  }
}
