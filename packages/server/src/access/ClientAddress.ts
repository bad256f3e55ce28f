/**
 * Client addresses and address ranges. The client address is the TCP peer, unless the peer is
 * a trusted proxy: then `X-Forwarded-For` is read from the right, skipping trusted proxies, and
 * the first address that is not one is the client. An IPv4 address mapped into IPv6
 * (`::ffff:192.0.2.1`) counts as the IPv4 address.
 */
import * as Net from "node:net"
import * as Either from "effect/Either"

/** A set of CIDR ranges that answers whether it contains an address. */
export interface AddressRanges {
  readonly contains: (address: string) => boolean
}

/** Strips the IPv6 mapping of an IPv4 address and an IPv6 zone id; null for non-addresses. */
export const normalizeAddress = (address: string): string | null => {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1")
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)
  const candidate = mapped?.[1] ?? trimmed.replace(/%.*$/, "")
  return Net.isIP(candidate) === 0 ? null : candidate.toLowerCase()
}

/** Parses ranges such as `192.0.2.0/24`, `2001:db8::/32` or a single address. */
export const parseAddressRanges = (
  ranges: ReadonlyArray<string>
): Either.Either<AddressRanges, string> => {
  const list = new Net.BlockList()
  for (const range of ranges) {
    const [address = "", prefixText, extra] = range.split("/")
    const normalized = normalizeAddress(address)
    const family = normalized === null ? 0 : Net.isIP(normalized)
    const maxPrefix = family === 4 ? 32 : 128
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText)
    if (
      normalized === null ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > maxPrefix ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText))
    ) {
      return Either.left(
        `Expected comma-separated CIDR ranges such as 192.0.2.0/24 or 2001:db8::/32, got ${JSON.stringify(range)}`
      )
    }
    list.addSubnet(normalized, prefix, family === 4 ? "ipv4" : "ipv6")
  }
  return Either.right({
    contains: (address) => {
      const normalized = normalizeAddress(address)
      if (normalized === null) return false
      return list.check(normalized, Net.isIP(normalized) === 4 ? "ipv4" : "ipv6")
    }
  })
}

/** `parseAddressRanges` for ranges already validated by the configuration. */
export const addressRangesOf = (ranges: ReadonlyArray<string>): AddressRanges =>
  Either.getOrThrow(parseAddressRanges(ranges))

/** The client's address from the TCP peer and the `X-Forwarded-For` header. */
export const clientAddressOf = (
  peer: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: AddressRanges
): string | null => {
  const direct = peer === undefined ? null : normalizeAddress(peer)
  if (direct === null || !trustedProxies.contains(direct) || forwardedFor === undefined) {
    return direct
  }
  const hops = forwardedFor.split(",").map(normalizeAddress)
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]
    if (hop === null || hop === undefined) return direct
    if (!trustedProxies.contains(hop)) return hop
  }
  return hops[0] ?? direct
}
