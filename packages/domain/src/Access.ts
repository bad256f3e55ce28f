/**
 * Access rules on courses and lectures. A lecture with rules of its own ignores its course's
 * rules; an object without rules inherits (a lecture) or is public (a course). A caller may
 * watch when it satisfies any one of the effective rules, and moderators satisfy every rule.
 */
import * as Schema from "effect/Schema"
import { StrictStruct } from "./Text.js"

/**
 * `public`: everyone; `university_network`: clients in the configured address ranges;
 * `password`: viewers who entered the course's or lecture's password; `moderators`: only
 * moderators.
 */
export const AccessRuleKind = Schema.Literal(
  "public",
  "university_network",
  "password",
  "moderators"
)
export type AccessRuleKind = typeof AccessRuleKind.Type

/** A stored rule as moderators read it; the password itself is never returned. */
export class AccessRule extends Schema.Class<AccessRule>("AccessRule")({
  kind: AccessRuleKind,
  hasPassword: Schema.Boolean
}) {}

/** The rules set directly on a course or lecture; empty means inherited or public. */
export class AccessRules extends Schema.Class<AccessRules>("AccessRules")({
  rules: Schema.Array(AccessRule)
}) {}

const PasswordText = Schema.String.pipe(
  Schema.minLength(4, { message: () => "Expected a password of at least 4 characters" }),
  Schema.maxLength(200, { message: () => "Expected a password of at most 200 characters" })
)

export const AccessRuleInput = Schema.Union(
  StrictStruct({ kind: Schema.Literal("public", "university_network", "moderators") }),
  StrictStruct({
    kind: Schema.Literal("password"),
    password: Schema.optional(PasswordText).annotations({
      description: "New password; omit it to keep the password the object already has"
    })
  })
)
export type AccessRuleInput = typeof AccessRuleInput.Type

export const SetAccessRules = StrictStruct({
  rules: Schema.Array(AccessRuleInput).pipe(
    Schema.maxItems(4, { message: () => "Expected at most one rule of each kind" }),
    Schema.filter(
      (rules) =>
        new Set(rules.map((rule) => rule.kind)).size === rules.length ||
        "Expected each kind of rule at most once"
    ),
    Schema.filter(
      (rules) =>
        !rules.some((rule) => rule.kind === "public") ||
        rules.length === 1 ||
        "Expected `public` alone: combined with other rules it would open them all"
    )
  )
}).annotations({
  identifier: "SetAccessRules",
  examples: [{ rules: [{ kind: "university_network" }, { kind: "password", password: "fourier" }] }]
})
export type SetAccessRules = typeof SetAccessRules.Type

/** Where a viewer enters the password that opens a lecture. */
export const PasswordScope = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("course"), handle: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("lecture"), lectureId: Schema.Int })
)
export type PasswordScope = typeof PasswordScope.Type

/** Whether the caller may watch a lecture's media and, if not, what would open them. */
export class LectureAccess extends Schema.Class<LectureAccess>("LectureAccess")({
  granted: Schema.Boolean,
  /** The effective rules; a caller satisfying any one of them is granted access. */
  rules: Schema.Array(AccessRuleKind),
  passwordScope: Schema.NullOr(PasswordScope)
}) {}

export const EnterPassword = StrictStruct({
  password: Schema.String.pipe(
    Schema.minLength(1, { message: () => "Expected a non-empty password" }),
    Schema.maxLength(200, { message: () => "Expected at most 200 characters" })
  )
}).annotations({ identifier: "EnterPassword", examples: [{ password: "fourier" }] })

/** The grant a correct password opens, valid until `expiresAt`. */
export class PasswordGrant extends Schema.Class<PasswordGrant>("PasswordGrant")({
  scope: PasswordScope,
  expiresAt: Schema.Date
}) {}
