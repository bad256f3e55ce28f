/**
 * Password hashing with scrypt from Node's crypto module. Hashes are stored as
 * `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url), so the cost can rise later without breaking
 * stored hashes.
 */
import * as Crypto from "node:crypto"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const cost = { N: 2 ** 15, r: 8, p: 1 }
const keyLength = 32
// scrypt needs 128 * N * r bytes; leave headroom above Node's 32 MiB default limit.
const maxmem = 128 * 1024 * 1024

const derive = (password: string, salt: Buffer, params: { N: number; r: number; p: number }) =>
  Effect.async<Buffer, Error>((resume) => {
    Crypto.scrypt(password.normalize("NFC"), salt, keyLength, { ...params, maxmem }, (error, key) =>
      resume(error ? Effect.fail(error) : Effect.succeed(key))
    )
  })

export const hash = (password: Redacted.Redacted) =>
  Effect.gen(function* () {
    const salt = Crypto.randomBytes(16)
    const key = yield* derive(Redacted.value(password), salt, cost)
    return [
      "scrypt",
      cost.N,
      cost.r,
      cost.p,
      salt.toString("base64url"),
      key.toString("base64url")
    ].join("$")
  }).pipe(Effect.orDie)

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export const verify = (password: Redacted.Redacted, stored: string) =>
  Effect.gen(function* () {
    const [scheme, n, r, p, salt, expected] = stored.split("$")
    if (scheme !== "scrypt" || salt === undefined || expected === undefined) return false
    const params = { N: Number(n), r: Number(r), p: Number(p) }
    if (!Object.values(params).every(Number.isSafeInteger)) return false
    const key = yield* derive(Redacted.value(password), Buffer.from(salt, "base64url"), params)
    const expectedKey = Buffer.from(expected, "base64url")
    return expectedKey.length === key.length && Crypto.timingSafeEqual(expectedKey, key)
  }).pipe(Effect.orDie)

/**
 * A hash of a random password. Checking a login for an unknown user against it takes as long
 * as a real check, so response times do not reveal which usernames exist.
 */
export const decoyHash = Effect.runSync(
  Effect.cached(hash(Redacted.make(Crypto.randomBytes(16).toString("hex"))))
)
