/**
 * Moderators: members of the student group who manage courses and recordings.
 */
import * as Schema from "effect/Schema"
import { UserId } from "./Ids.js"
import { Line, StrictStruct } from "./Text.js"

/** `moderator` manages content; `admin` also manages moderator accounts. */
export const UserRole = Schema.Literal("moderator", "admin")
export type UserRole = typeof UserRole.Type

export class User extends Schema.Class<User>("User")({
  id: UserId,
  username: Schema.String,
  displayName: Schema.String,
  role: UserRole
}) {}

/** A moderator account as admins list it. */
export class UserAccount extends User.extend<UserAccount>("UserAccount")({
  disabled: Schema.Boolean,
  createdAt: Schema.Date
}) {}

export const LoginRequest = StrictStruct({
  username: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100)),
  password: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1000))
}).annotations({
  identifier: "LoginRequest",
  examples: [{ username: "videoag", password: "videoag" }]
})

export const Username = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    message: (issue) =>
      `Expected a username of lowercase letters, digits, dots, hyphens and underscores (at most 64 characters), got ${JSON.stringify(issue.actual)}`
  })
)

/** A new password: at least 10 characters, at most 1000. */
export const NewPassword = Schema.String.pipe(
  Schema.minLength(10, { message: () => "Expected a password of at least 10 characters" }),
  Schema.maxLength(1000, { message: () => "Expected a password of at most 1000 characters" })
)

export const CreateUser = StrictStruct({
  username: Username,
  displayName: Line(200),
  password: NewPassword,
  role: Schema.optionalWith(UserRole, { default: () => "moderator" as const })
}).annotations({
  identifier: "CreateUser",
  examples: [
    {
      username: "erika",
      displayName: "Erika Mustermann",
      password: "correct horse battery staple",
      role: "moderator"
    }
  ]
})
export type CreateUser = typeof CreateUser.Type

export const UpdateUser = StrictStruct({
  displayName: Schema.optional(Line(200)),
  role: Schema.optional(UserRole),
  disabled: Schema.optional(Schema.Boolean),
  password: Schema.optional(NewPassword)
}).annotations({ identifier: "UpdateUser", examples: [{ role: "admin" }] })
export type UpdateUser = typeof UpdateUser.Type

export const ChangePassword = StrictStruct({
  currentPassword: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1000)),
  newPassword: NewPassword
}).annotations({
  identifier: "ChangePassword",
  examples: [{ currentPassword: "videoag", newPassword: "a much longer passphrase" }]
})
