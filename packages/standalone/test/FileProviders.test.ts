/**
 * One conformance suite for both file providers: Debian's nginx started with
 * `docker/nginx/file-provider.conf`, and the embedded provider of `npm start`. Links are signed
 * by the API server's `MediaUrls`, so the test covers the whole path from API response to file.
 * The nginx configuration is used as it is, except for the media root, the temporary and log
 * paths and the two ports, which the test points to its own folder and free ports.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { secureLinkHash } from "@videoag/domain"
import { MediaUrls, ServerConfig } from "@videoag/server"
import * as FileProvider from "../src/FileProvider.js"

const secret = "conformance-secret-0123456789abcdef"
const configPath = new URL("../../../docker/nginx/file-provider.conf", import.meta.url).pathname

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })

const nginxBinary = async () => {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    if (
      await Fs.access(candidate).then(
        () => true,
        () => false
      )
    )
      return candidate
  }
  throw new Error(
    "nginx is not installed; run ./dev/install_requirements.sh (apt package nginx-light)"
  )
}

const waitForPort = async (port: number) => {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.end()
        resolve(true)
      })
      socket.once("error", () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nothing listens on port ${port}`)
}

interface Provider {
  readonly name: string
  readonly publicUrl: string
  readonly checkUrl: string
  readonly stop: () => Promise<void>
}

let workspace = ""
let mediaRoot = ""
let outside = ""
const payload = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 251))

const files: Record<string, Buffer | string> = {
  "published/public/ana/1/1/ana-720p.mp4": payload,
  "published/public/ana/1/1/ana-audio.m4a": "audio",
  "published/public/ana/1/1/hls/index.m3u8": "#EXTM3U\n",
  "published/public/ana/1/1/hls/segment-1.m4s": "segment",
  "published/public/ana/1/1/chapters.vtt": "WEBVTT\n",
  "published/public/ana/1/1/poster.jpg": "jpg",
  "published/public/ana/1/1/storyboard.png": "png",
  "published/public/ana/1/1/storyboard.webp": "webp",
  "published/protected/ana/2/1/ana-720p.mp4": payload,
  "published/protected/ana/2/1/Übung 1 + Lösung.mp4": "umlauts",
  "published/protected/ana/2/1/other.mp4": "other",
  "published/protected/ana/2/1/hls/master.m3u8":
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv720.m3u8\n",
  "published/protected/ana/2/1/hls/v720.m3u8": '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg1.m4s\n',
  "published/protected/ana/2/1/hls/init.mp4": "init",
  "published/protected/ana/2/1/hls/seg1.m4s": "segment one",
  "published/protected/ana/3/1/hls/master.m3u8": "#EXTM3U\n",
  "published/legacy.mp4": "legacy",
  ".videoag-work/job-1-1/partial.mp4": "partial",
  "lectures/raw recording.mp4": "raw"
}

const perlModule = "/usr/lib/nginx/modules/ngx_http_perl_module.so"

/** Starts nginx with the repository's configuration and `secret` in its environment. */
const startNginx = async (name: string, secret: string): Promise<Provider> => {
  const [publicPort, internalPort] = [await freePort(), await freePort()]
  const prefix = Path.join(workspace, name)
  await Fs.mkdir(Path.join(prefix, "logs"), { recursive: true })
  const moduleAvailable = await Fs.access(perlModule).then(
    () => true,
    () => false
  )
  expect(moduleAvailable, `${perlModule} is missing; run ./dev/install_requirements.sh`).toBe(true)
  await Fs.symlink(Path.dirname(perlModule), Path.join(prefix, "modules"))
  const original = await Fs.readFile(configPath, "utf8")
  const replacements: ReadonlyArray<[string, string]> = [
    ["/srv/media", mediaRoot],
    ["/tmp/videoag-nginx-", Path.join(prefix, "nginx-")],
    ["listen 8080;", `listen 127.0.0.1:${publicPort};`],
    ["listen 8081;", `listen 127.0.0.1:${internalPort};`],
    ["access_log /dev/stdout;", `access_log ${Path.join(prefix, "logs", "access.log")};`]
  ]
  let adapted = original
  for (const [from, to] of replacements) {
    expect(original.includes(from), `the nginx configuration contains ${from}`).toBe(true)
    adapted = adapted.split(from).join(to)
  }
  const config = Path.join(prefix, "nginx.conf")
  await Fs.writeFile(config, adapted)
  const binary = await nginxBinary()
  const errorLog = Path.join(prefix, "logs", "error.log")
  const args = [
    "-p",
    prefix,
    "-c",
    config,
    "-e",
    errorLog,
    "-g",
    `daemon off; pid ${Path.join(prefix, "nginx.pid")};`
  ]
  const environment = { ...process.env, VIDEOAG_SECURE_LINK_SECRET: secret }
  const check = ChildProcess.spawnSync(binary, [...args, "-t"], {
    encoding: "utf8",
    env: environment
  })
  expect(check.status, check.stderr).toBe(0)
  const child = ChildProcess.spawn(binary, args, { stdio: "ignore", env: environment })
  await waitForPort(publicPort)
  await waitForPort(internalPort)
  return {
    name,
    publicUrl: `http://127.0.0.1:${publicPort}`,
    checkUrl: `http://127.0.0.1:${internalPort}/internal/source-files`,
    stop: async () => {
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
    }
  }
}

const startEmbedded = async (): Promise<Provider> => {
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(
    FileProvider.start({
      mediaRoot,
      host: "127.0.0.1",
      port: 0,
      secureLinkSecret: Redacted.make(secret)
    }).pipe(Scope.extend(scope))
  )
  return {
    name: "embedded",
    publicUrl: server.url,
    checkUrl: server.sourceFileCheckUrl,
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const urlsFor = (provider: Provider) =>
  Effect.runSync(
    Effect.provide(
      MediaUrls,
      MediaUrls.Default.pipe(
        Layer.provide(
          ServerConfig.layerWith({
            debug: false,
            host: "127.0.0.1",
            port: 0,
            fileProviderUrl: provider.publicUrl,
            sourceFileCheckUrl: provider.checkUrl,
            sessionLifetime: Duration.hours(1),
            secureCookies: false,
            universityNetworks: [],
            trustedProxies: [],
            secureLinkSecret: Redacted.make(secret),
            serverSecret: Redacted.make("server-secret-0123456789"),
            mediaUrlLifetime: Duration.hours(1),
            passwordGrantLifetime: Duration.days(1),
            siteUrl: "https://video.example.org",
            corsOrigins: []
          })
        )
      )
    )
  )

const providers: Array<Provider> = []

beforeAll(async () => {
  workspace = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-file-providers-"))
  mediaRoot = Path.join(workspace, "media")
  outside = Path.join(workspace, "outside")
  await Fs.mkdir(outside, { recursive: true })
  await Fs.writeFile(Path.join(outside, "secret.mp4"), "outside the media root")
  for (const [relative, content] of Object.entries(files)) {
    await Fs.mkdir(Path.dirname(Path.join(mediaRoot, relative)), { recursive: true })
    await Fs.writeFile(Path.join(mediaRoot, relative), content)
  }
  await Fs.symlink(Path.join(outside, "secret.mp4"), Path.join(mediaRoot, "lectures", "escape.mp4"))
  await Fs.symlink(
    Path.join(outside, "secret.mp4"),
    Path.join(mediaRoot, "published/public/ana/1/1/escape.mp4")
  )
  // nginx workers may run as an unprivileged user: make the tree readable for them.
  for (const folder of [workspace, mediaRoot, outside]) await Fs.chmod(folder, 0o755)
  ChildProcess.execFileSync("chmod", ["-R", "a+rX", workspace])
  providers.push(
    await startNginx("nginx", secret),
    await startEmbedded(),
    await startNginx("nginx-without-secret", "")
  )
}, 60_000)

afterAll(async () => {
  for (const provider of providers) await provider.stop()
  await Fs.rm(workspace, { recursive: true, force: true })
})

const get = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { redirect: "manual", ...init })
    const body = Buffer.from(await response.arrayBuffer())
    return { status: response.status, headers: response.headers, body }
  })

describe.each(["nginx", "embedded"])("file provider (%s)", (name) => {
  const provider = () => providers.find((candidate) => candidate.name === name)!

  it.effect("serves public media with plain URLs and byte ranges", () =>
    Effect.gen(function* () {
      const urls = urlsFor(provider())
      const url = urls.urlOf("published/public/ana/1/1/ana-720p.mp4")
      expect(url).not.toContain("md5=")
      const whole = yield* get(url)
      expect(whole.status).toBe(200)
      expect(whole.headers.get("content-type")).toBe("video/mp4")
      expect(whole.body.equals(payload)).toBe(true)
      expect(whole.headers.get("access-control-allow-origin")).toBe("*")
      const part = yield* get(url, { headers: { range: "bytes=100-199" } })
      expect(part.status).toBe(206)
      expect(part.headers.get("content-range")).toBe(`bytes 100-199/${payload.length}`)
      expect(part.body.equals(payload.subarray(100, 200))).toBe(true)
      const download = yield* get(`${url}?download=1`)
      expect(download.headers.get("content-disposition")).toBe("attachment")
      expect(whole.headers.get("content-disposition")).toBeNull()
    })
  )

  it.effect("sends the MIME type of each media format", () =>
    Effect.gen(function* () {
      const urls = urlsFor(provider())
      const expected: Record<string, RegExp> = {
        "ana-audio.m4a": /^audio\/mp4$/,
        "hls/index.m3u8": /^application\/vnd\.apple\.mpegurl/,
        "hls/segment-1.m4s": /^video\/iso\.segment$/,
        "chapters.vtt": /^text\/vtt; charset=utf-8$/,
        "poster.jpg": /^image\/jpeg$/,
        "storyboard.png": /^image\/png$/,
        "storyboard.webp": /^image\/webp$/
      }
      for (const [file, type] of Object.entries(expected)) {
        const response = yield* get(urls.urlOf(`published/public/ana/1/1/${file}`))
        expect(response.status, file).toBe(200)
        expect(response.headers.get("content-type"), file).toMatch(type)
      }
    })
  )

  it.effect("accepts a signed link to protected media", () =>
    Effect.gen(function* () {
      const urls = urlsFor(provider())
      const url = urls.urlOf("published/protected/ana/2/1/ana-720p.mp4")
      expect(url).toMatch(/\?md5=[A-Za-z0-9_-]{22}&expires=\d+$/)
      const response = yield* get(url)
      expect(response.status).toBe(200)
      expect(response.body.equals(payload)).toBe(true)
      const part = yield* get(url, { headers: { range: "bytes=-10" } })
      expect(part.status).toBe(206)
      const umlauts = yield* get(urls.urlOf("published/protected/ana/2/1/Übung 1 + Lösung.mp4"))
      expect(umlauts.status).toBe(200)
      expect(umlauts.body.toString()).toBe("umlauts")
    })
  )

  it.effect("rejects a missing, altered or expired signature", () =>
    Effect.gen(function* () {
      const urls = urlsFor(provider())
      const path = "published/protected/ana/2/1/ana-720p.mp4"
      const signed = new URL(urls.urlOf(path))
      const md5 = signed.searchParams.get("md5")!
      const expires = signed.searchParams.get("expires")!
      const base = `${provider().publicUrl}/${path}`

      expect((yield* get(base)).status).toBe(403)
      const flipped = md5.startsWith("A") ? `B${md5.slice(1)}` : `A${md5.slice(1)}`
      expect((yield* get(`${base}?md5=${flipped}&expires=${expires}`)).status).toBe(403)
      expect((yield* get(`${base}?md5=${md5}&expires=${Number(expires) + 60}`)).status).toBe(403)
      const otherFile = `${provider().publicUrl}/published/protected/ana/2/1/other.mp4`
      expect((yield* get(`${otherFile}?md5=${md5}&expires=${expires}`)).status).toBe(403)
      expect((yield* get(`${base}?md5=${md5}`)).status).toBe(403)

      const longAgo = new Date(Date.now() - Duration.toMillis(Duration.hours(3)))
      const expired = urls.urlOf(path, longAgo)
      expect(Number(new URL(expired).searchParams.get("expires"))).toBeLessThan(Date.now() / 1000)
      expect((yield* get(expired)).status).toBe(410)
    })
  )

  it.effect("serves a protected HLS stream through its folder link", () =>
    Effect.gen(function* () {
      const urls = urlsFor(provider())
      const master = urls.urlOf(
        "published/protected/ana/2/1/hls/master.m3u8",
        new Date(),
        "application/vnd.apple.mpegurl"
      )
      expect(master).toMatch(
        /\/signed\/[A-Za-z0-9_-]{22}\/\d+\/published\/protected\/ana\/2\/1\/hls\/-\/master\.m3u8$/
      )
      const playlist = yield* get(master)
      expect(playlist.status).toBe(200)
      expect(playlist.headers.get("content-type")).toMatch(/^application\/vnd\.apple\.mpegurl/)
      for (const [relative, content] of [
        ["v720.m3u8", undefined],
        ["init.mp4", "init"],
        ["seg1.m4s", "segment one"]
      ] as const) {
        const response = yield* get(new URL(relative, master).toString())
        expect(response.status, relative).toBe(200)
        if (content !== undefined) expect(response.body.toString(), relative).toBe(content)
      }
      const part = yield* get(new URL("seg1.m4s", master).toString(), {
        headers: { range: "bytes=0-6" }
      })
      expect(part.status).toBe(206)
      expect(part.body.toString()).toBe("segment")

      const otherStream = master.replace("/ana/2/1/hls/", "/ana/3/1/hls/")
      expect((yield* get(otherStream)).status).toBe(403)
      const outsideFolder = new URL("../ana-720p.mp4", master).toString()
      expect([403, 404]).toContain((yield* get(outsideFolder)).status)
      const expires = Number(/\/(\d+)\/published\//.exec(master)?.[1])
      expect((yield* get(master.replace(`/${expires}/`, `/${expires + 900}/`))).status).toBe(403)
      const expired = urls.urlOf(
        "published/protected/ana/2/1/hls/master.m3u8",
        new Date(Date.now() - Duration.toMillis(Duration.hours(3))),
        "application/vnd.apple.mpegurl"
      )
      expect((yield* get(expired)).status).toBe(410)
      const publicFolder = master.replace("/published/protected/", "/published/public/")
      expect([403, 404]).toContain((yield* get(publicFolder)).status)
    })
  )

  it.effect("serves nothing outside the two published folders", () =>
    Effect.gen(function* () {
      const base = provider().publicUrl
      for (const path of [
        "/published/legacy.mp4",
        "/.videoag-work/job-1-1/partial.mp4",
        "/lectures/raw%20recording.mp4",
        "/published/public/../../lectures/raw%20recording.mp4",
        "/published/public/ana/1/1/escape.mp4",
        "/published/public/ana/1/1/"
      ]) {
        const response = yield* get(`${base}${path}`)
        expect([403, 404], path).toContain(response.status)
      }
    })
  )

  it.effect("answers HEAD checks of source files", () =>
    Effect.gen(function* () {
      const check = provider().checkUrl
      const found = yield* get(`${check}/lectures/raw%20recording.mp4`, { method: "HEAD" })
      expect(found.status).toBe(200)
      expect(found.headers.get("content-length")).toBe("3")
      expect(Number.isNaN(Date.parse(found.headers.get("last-modified") ?? ""))).toBe(false)
      expect((yield* get(`${check}/lectures/missing.mp4`, { method: "HEAD" })).status).toBe(404)
      expect((yield* get(`${check}/lectures/escape.mp4`, { method: "HEAD" })).status).toBe(403)
      const folder = yield* get(`${check}/lectures`, { method: "HEAD" })
      expect([301, 409]).toContain(folder.status)
      const body = yield* get(`${check}/lectures/raw%20recording.mp4`)
      expect([403, 405]).toContain(body.status)
    })
  )
})

describe("nginx ports", () => {
  it.effect("keeps the source checks off the public port", () =>
    Effect.gen(function* () {
      const nginx = providers.find((candidate) => candidate.name === "nginx")!
      const response = yield* get(
        `${nginx.publicUrl}/internal/source-files/lectures/raw%20recording.mp4`,
        {
          method: "HEAD"
        }
      )
      expect(response.status).toBe(404)
      const health = yield* get(`${nginx.publicUrl}/health`)
      expect(health.status).toBe(200)
    })
  )

  it.effect("keeps protected files closed without a secret", () =>
    Effect.gen(function* () {
      const unconfigured = providers.find((candidate) => candidate.name === "nginx-without-secret")!
      const path = "/published/protected/ana/2/1/ana-720p.mp4"
      const expires = Math.floor(Date.now() / 1000) + 3600
      const forged = secureLinkHash(expires, path, "")
      const response = yield* get(
        `${unconfigured.publicUrl}${path}?md5=${forged}&expires=${expires}`
      )
      expect(response.status).toBe(503)
      const open = yield* get(`${unconfigured.publicUrl}/published/public/ana/1/1/ana-720p.mp4`)
      expect(open.status).toBe(200)
    })
  )
})
