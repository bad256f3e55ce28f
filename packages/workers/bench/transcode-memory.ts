/**
 * Measures the memory of a transcode as the input grows. It generates test recordings of the
 * given lengths (minutes, default 10 and 40) and runs the worker CLI on each with the outputs of
 * the `compact` profile set. It samples the resident memory of the worker and of ffmpeg from
 * /proc twice a second and prints the peaks. Flat memory means the peaks stay about the same for
 * every length. Linux only.
 *
 *     node --import tsx packages/workers/bench/transcode-memory.ts [minutes ...]
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { profileSets, WorkerEnvironment } from "@videoag/domain"

const execFile = promisify(ChildProcess.execFile)
const workerMain = new URL("../src/main.ts", import.meta.url).pathname

const generate = async (path: string, minutes: number) => {
  await execFile("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=1280x720:rate=5:duration=${minutes * 60}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:sample_rate=48000:duration=${minutes * 60}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-crf",
    "35",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "48k",
    "-shortest",
    path
  ])
}

/** Resident memory in KiB of `pid`, or 0 when it is gone. */
const residentKib = async (pid: number) => {
  const status = await Fs.readFile(`/proc/${pid}/status`, "utf8").catch(() => "")
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
}

/** Descendants of `pid` with their command names, from /proc. */
const descendants = async (pid: number) => {
  const parents = new Map<number, Array<{ pid: number; name: string }>>()
  for (const entry of await Fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await Fs.readFile(`/proc/${entry}/stat`, "utf8").catch(() => "")
    const match = /^\d+ \((.*)\) \S (\d+)/.exec(stat)
    if (match === null) continue
    const parent = Number(match[2])
    parents.set(parent, [
      ...(parents.get(parent) ?? []),
      { pid: Number(entry), name: match[1] ?? "" }
    ])
  }
  const found: Array<{ pid: number; name: string }> = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() ?? 0) ?? []) {
      found.push(child)
      queue.push(child.pid)
    }
  }
  return found
}

const measure = async (mediaRoot: string, minutes: number) => {
  const source = `lecture-${minutes}min.mp4`
  await generate(Path.join(mediaRoot, source), minutes)
  const set = profileSets.compact
  const input = {
    sourcePath: source,
    outputDirectory: `published/bench-${minutes}`,
    fileNamePrefix: "lecture",
    renditions: set.renditions,
    audioProfile: set.audioProfile,
    hlsProfile: set.hlsProfile
  }

  const startedAt = Date.now()
  const worker = ChildProcess.spawn(
    process.execPath,
    ["--import", "tsx", workerMain, "run", "media.transcode"],
    {
      env: {
        ...process.env,
        [WorkerEnvironment.jobId]: `bench-${minutes}`,
        [WorkerEnvironment.input]: JSON.stringify(input),
        [WorkerEnvironment.mediaRoot]: mediaRoot,
        VIDEOAG_X264_PRESET: process.env["VIDEOAG_X264_PRESET"] ?? "ultrafast"
      },
      stdio: ["ignore", "ignore", "inherit"]
    }
  )
  const exited = new Promise<number | null>((resolve) => worker.on("exit", resolve))

  let peakWorker = 0
  let peakFfmpeg = 0
  let running = true
  void exited.then(() => {
    running = false
  })
  while (running) {
    peakWorker = Math.max(peakWorker, await residentKib(worker.pid ?? 0))
    for (const child of await descendants(worker.pid ?? 0)) {
      if (child.name === "ffmpeg") peakFfmpeg = Math.max(peakFfmpeg, await residentKib(child.pid))
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const exitCode = await exited

  return {
    minutes,
    exitCode,
    seconds: Math.round((Date.now() - startedAt) / 1000),
    peakWorkerMib: Math.round(peakWorker / 1024),
    peakFfmpegMib: Math.round(peakFfmpeg / 1024)
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`)

const lengths = process.argv
  .slice(2)
  .map(Number)
  .filter((value) => value > 0)
const mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-bench-"))
try {
  print(
    `${Os.cpus().length} cores, ${Math.round(Os.totalmem() / 2 ** 30)} GiB, ${Os.cpus()[0]?.model ?? "unknown CPU"}`
  )
  print("minutes  exit  seconds  peak worker MiB  peak ffmpeg MiB")
  for (const minutes of lengths.length > 0 ? lengths : [10, 40]) {
    const result = await measure(mediaRoot, minutes)
    print(
      [
        String(result.minutes).padStart(7),
        String(result.exitCode).padStart(5),
        String(result.seconds).padStart(8),
        String(result.peakWorkerMib).padStart(16),
        String(result.peakFfmpegMib).padStart(16)
      ].join(" ")
    )
  }
} finally {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
}
