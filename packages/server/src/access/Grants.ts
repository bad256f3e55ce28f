/**
 * Password grants in a cookie. After a viewer enters the right course or lecture password the
 * server adds a grant (scope, object id, password fingerprint, expiry) to the cookie
 * `videoag_grants`, signed with HMAC-SHA256, so any server replica can check it without a
 * database. The fingerprint is derived from the stored password hash: a new password voids
 * earlier grants.
 */
import * as Crypto from "node:crypto"
import * as Redacted from "effect/Redacted"
import type { GrantClaim } from "@videoag/domain"

/** Grants kept per cookie; the oldest are dropped first, so the cookie stays small. */
export const maxGrants = 40

export const fingerprintOf = (passwordHash: string) =>
  Crypto.createHash("sha256").update(passwordHash, "utf8").digest("base64url").slice(0, 12)

const signingKey = (secret: Redacted.Redacted) =>
  Crypto.createHmac("sha256", Redacted.value(secret)).update("videoag password grants").digest()

const signatureOf = (secret: Redacted.Redacted, payload: string) =>
  Crypto.createHmac("sha256", signingKey(secret)).update(payload, "utf8").digest("base64url")

type EncodedGrant = readonly [
  scope: "c" | "l",
  objectId: number,
  fingerprint: string,
  expiresAt: number
]

const isEncodedGrant = (value: unknown): value is EncodedGrant =>
  Array.isArray(value) &&
  value.length === 4 &&
  (value[0] === "c" || value[0] === "l") &&
  Number.isSafeInteger(value[1]) &&
  typeof value[2] === "string" &&
  Number.isSafeInteger(value[3])

/** The cookie value holding `grants`, newest last. */
export const encodeGrants = (secret: Redacted.Redacted, grants: ReadonlyArray<GrantClaim>) => {
  const encoded: Array<EncodedGrant> = grants
    .slice(-maxGrants)
    .map((grant) => [
      grant.scope === "course" ? "c" : "l",
      grant.objectId,
      grant.fingerprint,
      Math.floor(grant.expiresAt.getTime() / 1000)
    ])
  const payload = Buffer.from(JSON.stringify(encoded), "utf8").toString("base64url")
  return `${payload}.${signatureOf(secret, payload)}`
}

/** The unexpired grants of a cookie value; none when the value is absent, altered or malformed. */
export const decodeGrants = (
  secret: Redacted.Redacted,
  value: string | undefined,
  now: Date
): ReadonlyArray<GrantClaim> => {
  if (value === undefined || value.length > 8192) return []
  const [payload, signature, extra] = value.split(".")
  if (payload === undefined || signature === undefined || extra !== undefined) return []
  const expected = Buffer.from(signatureOf(secret, payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !Crypto.timingSafeEqual(expected, given)) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
  } catch {
    return []
  }
  if (!Array.isArray(parsed)) return []
  return parsed
    .filter(isEncodedGrant)
    .map(([scope, objectId, fingerprint, expiresAt]) => ({
      scope: scope === "c" ? ("course" as const) : ("lecture" as const),
      objectId,
      fingerprint,
      expiresAt: new Date(expiresAt * 1000)
    }))
    .filter((grant) => grant.expiresAt > now)
}
