/**
 * `npm run create-moderator`: creates a moderator account in the database at `DATABASE_URL`
 * (see `CreateModerator.ts` for the arguments). Runs the migrations first, so it also works on
 * a new, empty database.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Readline from "node:readline"
import { Runtime } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import { createModerator, CreateModeratorError, parseArguments } from "./CreateModerator.js"

const readPassword = Effect.async<string>((resume) => {
  const fromEnvironment = process.env["VIDEOAG_MODERATOR_PASSWORD"]
  if (fromEnvironment !== undefined && fromEnvironment !== "") {
    return resume(Effect.succeed(fromEnvironment))
  }
  if (process.stdin.isTTY) process.stderr.write("Password: ")
  const lines = Readline.createInterface({ input: process.stdin, terminal: false })
  let answered = false
  lines.once("line", (line) => {
    // Closing the interface emits "close" at once, so answer before closing it.
    answered = true
    resume(Effect.succeed(line))
    lines.close()
  })
  lines.once("close", () => {
    if (!answered) resume(Effect.succeed(""))
  })
})

const program = Effect.gen(function* () {
  const parsed = parseArguments(process.argv.slice(2))
  if (Either.isLeft(parsed)) return yield* new CreateModeratorError({ message: parsed.left })
  const password = yield* readPassword
  if (password === "") {
    return yield* new CreateModeratorError({
      message:
        "The password is empty: set VIDEOAG_MODERATOR_PASSWORD or give the password as the first line of standard input"
    })
  }
  const id = yield* createModerator({ ...parsed.right, password: Redacted.make(password) })
  yield* Effect.logInfo(`Moderator ${parsed.right.username} is ready (user id ${id})`)
})

const DatabaseLive = Layer.provideMerge(
  Migrations.layer,
  Database.layerFromEnvironment("videoag-create-moderator")
).pipe(Layer.provide(NodeContext.layer))

Runtime.runMain(program.pipe(Effect.provide(DatabaseLive), Effect.provide(Runtime.layer("pretty"))))
