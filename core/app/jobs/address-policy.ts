/**
 * Which network addresses a callback may reach (SSRF protection): never
 * loopback, link-local (cloud metadata lives at 169.254.169.254 and
 * fd00:ec2::254), private, shared (CGNAT), multicast, reserved or
 * unspecified addresses, unless the operator's allow-list names the host or
 * a range holding the address. IPv4-mapped and NAT64 IPv6 addresses are
 * judged by the IPv4 address inside them.
 */

/** Blocked IPv4 ranges as [network, prefix length]. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** Blocked IPv6 ranges as [network, prefix length]. */
const BLOCKED_V6: ReadonlyArray<readonly [string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private; AWS metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/** The 32 bits of a dotted IPv4 address, or null when `text` is not one. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** The 128 bits of an IPv6 address (brackets and zone id allowed), or null when `text` is not one. */
export function parseIpv6(text: string): bigint | null {
  let address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  if (!address.includes(':')) return null;
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = parseIpv4(dotted[1]);
    if (v4 === null) return null;
    address = address.slice(0, -dotted[1].length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

function inV4(address: number, [network, prefix]: readonly [string, number]): boolean {
  const base = parseIpv4(network)!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((address & mask) >>> 0) === ((base & mask) >>> 0);
}

function inV6(address: bigint, [network, prefix]: readonly [string, number]): boolean {
  const shift = BigInt(128 - prefix);
  return address >> shift === parseIpv6(network)! >> shift;
}

/** The IPv4 address carried inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address. */
function embeddedV4(address: bigint): number | null {
  const high = address >> 32n;
  if (high === 0xffffn || high === 0x64ff9b0000000000000000n) return Number(address & 0xffffffffn);
  return null;
}

/**
 * Whether `address` (an IP literal) is one callbacks must not reach.
 *
 * @example isBlockedAddress('169.254.169.254') // true
 * @example isBlockedAddress('::ffff:127.0.0.1') // true
 * @example isBlockedAddress('93.184.216.34') // false
 */
export function isBlockedAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4 !== null) return BLOCKED_V4.some((range) => inV4(v4, range));
  const v6 = parseIpv6(address);
  if (v6 === null) return true; // not an address at all: refuse rather than guess
  const inner = embeddedV4(v6);
  if (inner !== null) return BLOCKED_V4.some((range) => inV4(inner, range));
  return BLOCKED_V6.some((range) => inV6(v6, range));
}

/**
 * The operator's exceptions: host names (exact, case-insensitive) and
 * address ranges (`10.0.0.0/8`, `127.0.0.1`, `fd00::/8`).
 */
export interface CallbackAllowList {
  readonly hosts: readonly string[];
  readonly ranges: readonly string[];
}

/**
 * Splits the configured entries into host names and address ranges.
 *
 * @example parseAllowList(['hooks.internal', '10.1.0.0/16']) // { hosts: ['hooks.internal'], ranges: ['10.1.0.0/16'] }
 */
export function parseAllowList(entries: readonly string[]): CallbackAllowList {
  const hosts: string[] = [];
  const ranges: string[] = [];
  for (const entry of entries) {
    const [address] = entry.split('/');
    if (parseIpv4(address) !== null || parseIpv6(address) !== null) ranges.push(entry);
    else hosts.push(entry.toLowerCase());
  }
  return { hosts, ranges };
}

function inRange(address: string, range: string): boolean {
  const [network, prefixText] = range.split('/');
  const v4 = parseIpv4(address);
  if (v4 !== null && parseIpv4(network) !== null) return inV4(v4, [network, prefixText === undefined ? 32 : Number(prefixText)]);
  const v6 = parseIpv6(address);
  if (v6 !== null && parseIpv6(network) !== null) return inV6(v6, [network, prefixText === undefined ? 128 : Number(prefixText)]);
  return false;
}

/**
 * Whether a callback to `host` (resolved to `address`) may be sent.
 *
 * @example addressAllowed('127.0.0.1', '127.0.0.1', { hosts: [], ranges: ['127.0.0.0/8'] }) // true
 */
export function addressAllowed(host: string, address: string, allowList: CallbackAllowList): boolean {
  if (allowList.hosts.includes(host.toLowerCase().replace(/^\[|\]$/g, ''))) return true;
  if (allowList.ranges.some((range) => inRange(address, range))) return true;
  return !isBlockedAddress(address);
}
