/**
 * Moderators: members of the student group who manage courses and recordings.
 */
import * as Schema from "effect/Schema"
import { UserId } from "./Ids.js"
import { StrictStruct } from "./Text.js"

export const UserRole = Schema.Literal("moderator", "admin")

export class User extends Schema.Class<User>("User")({
  id: UserId,
  username: Schema.String,
  displayName: Schema.String,
  role: UserRole
}) {}

export const LoginRequest = StrictStruct({
  username: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100)),
  password: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1000))
}).annotations({ identifier: "LoginRequest" })
