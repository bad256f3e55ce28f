/**
 * A structural check of the generated Dockerfiles, standing in for hadolint, which Debian 12
 * does not package. The rules carry hadolint's rule ids where hadolint has the same rule; the
 * others check what this project requires of its images. Dockerfiles are parsed with
 * dockerfile-ast, the parser of the Docker language server.
 */
import { DockerfileParser, Keyword, ModifiableInstruction, type Instruction } from "dockerfile-ast"
import * as Fs from "node:fs"
import * as Path from "node:path"

export interface Stage {
  readonly name: string
  readonly from: string
  readonly instructions: ReadonlyArray<Instruction>
}

const knownKeywords = new Set<string>(Object.values(Keyword))

/** The stages of a Dockerfile in order, with the instructions after their FROM. */
export const stagesOf = (content: string): ReadonlyArray<Stage> => {
  const stages: Array<{ name: string; from: string; instructions: Array<Instruction> }> = []
  for (const instruction of DockerfileParser.parse(content).getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const args = instruction.getArguments().map((argument) => argument.getValue())
      const asIndex = args.findIndex((argument) => argument.toUpperCase() === "AS")
      stages.push({
        from: args.find((argument) => !argument.startsWith("--")) ?? "",
        name: asIndex === -1 ? String(stages.length) : (args[asIndex + 1] ?? ""),
        instructions: []
      })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

const argumentsOf = (instruction: Instruction) =>
  instruction.getArguments().map((argument) => argument.getValue())

/** The `--name=value` flags of RUN and COPY, which dockerfile-ast keeps apart from arguments. */
const flagsOf = (instruction: Instruction): ReadonlyArray<string> =>
  instruction instanceof ModifiableInstruction
    ? instruction.getFlags().map((flag) => `--${flag.getName()}=${flag.getValue() ?? ""}`)
    : []

const commandOf = (instruction: Instruction) => argumentsOf(instruction).join(" ")

/** The Debian packages that `apt-get install` lines of a stage and its parents install. */
export const aptPackagesOf = (stages: ReadonlyArray<Stage>, stageName: string): Set<string> => {
  const stage = stages.find((candidate) => candidate.name === stageName)
  if (stage === undefined) return new Set()
  const inherited = stages.some((candidate) => candidate.name === stage.from)
    ? aptPackagesOf(stages, stage.from)
    : new Set<string>()
  for (const instruction of stage.instructions) {
    if (instruction.getKeyword() !== "RUN") continue
    for (const command of commandOf(instruction).split("&&")) {
      const words = command.trim().split(/\s+/)
      const install = words.indexOf("install")
      if (words[0] !== "apt-get" || install === -1) continue
      for (const word of words.slice(install + 1)) {
        if (!word.startsWith("-")) inherited.add(word)
      }
    }
  }
  return inherited
}

export interface RuleOptions {
  readonly repositoryRoot: string
  readonly baseImage: string
  /** `local` Dockerfiles use BuildKit cache mounts; `ci` ones must not (kaniko lacks them). */
  readonly variant: "local" | "ci"
}

/** Returns one message per broken rule, each naming the line (1-based). */
export const check = (content: string, options: RuleOptions): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const report = (instruction: Instruction, message: string) =>
    problems.push(`line ${instruction.getRange().start.line + 1}: ${message}`)
  const stages = stagesOf(content)
  const names = new Set<string>()
  let pipefail = false

  if (stages.length === 0) problems.push("no FROM instruction")
  for (const [index, stage] of stages.entries()) {
    if (names.has(stage.name)) problems.push(`stage ${stage.name} is defined twice`)
    const isStage = names.has(stage.from)
    names.add(stage.name)
    if (!isStage) {
      if (!/:[^:/]+$/.test(stage.from) || stage.from.endsWith(":latest")) {
        problems.push(`DL3006/DL3007: ${stage.from} has no pinned tag`)
      } else if (stage.from !== options.baseImage) {
        problems.push(`FROM ${stage.from}: every stage must start from ${options.baseImage}`)
      }
    }
    if (/^\d+$/.test(stage.name) && index < stages.length - 1) {
      problems.push(`stage ${index + 1} has no name; name every stage that others refer to`)
    }
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword()
      const args = argumentsOf(instruction)
      if (!knownKeywords.has(keyword)) report(instruction, `unknown instruction ${keyword}`)
      switch (keyword) {
        case "SHELL":
          pipefail = args.join(" ").includes("pipefail")
          break
        case "WORKDIR":
          if (!args[0]?.startsWith("/")) report(instruction, "DL3000: WORKDIR must be absolute")
          break
        case "ADD":
          report(instruction, "DL3020: use COPY for files and folders")
          break
        case "MAINTAINER":
          report(instruction, "DL4000: MAINTAINER is deprecated")
          break
        case "CMD":
        case "ENTRYPOINT":
          if (!instruction.getRawArgumentsContent()?.trim().startsWith("[")) {
            report(instruction, `DL3025: write ${keyword} in JSON (exec) form`)
          }
          break
        case "COPY": {
          const from = flagsOf(instruction).find((flag) => flag.startsWith("--from="))
          const sources = args.slice(0, -1)
          if (from !== undefined) {
            if (!names.has(from.slice("--from=".length))) {
              report(instruction, `${from} names no earlier stage`)
            }
          } else {
            for (const source of sources) {
              const path = Path.join(options.repositoryRoot, source)
              if (source !== "." && source !== "./" && !Fs.existsSync(path)) {
                report(instruction, `COPY source ${source} does not exist in the repository`)
              }
            }
          }
          break
        }
        case "RUN": {
          const command = commandOf(instruction)
          const mounts = flagsOf(instruction).filter((flag) => flag.startsWith("--mount="))
          if (/\bcd\s/.test(command)) report(instruction, "DL3003: use WORKDIR instead of cd")
          if (/\bsudo\b/.test(command)) report(instruction, "DL3004: do not use sudo")
          if (/apt-get\s+(dist-)?upgrade/.test(command)) {
            report(instruction, "DL3005: do not upgrade the base image's packages")
          }
          if (/(^|[^|])\|([^|]|$)/.test(command) && !pipefail) {
            report(instruction, "DL4006: set SHELL with -o pipefail before piping")
          }
          if (/\bnpm (install|i)\b/.test(command)) {
            report(instruction, "install npm packages with npm ci from the lockfile")
          }
          for (const install of command
            .split("&&")
            .filter((part) => /apt-get\s.*install/.test(part))) {
            if (!/\s-y\b|--yes|--assume-yes/.test(install)) {
              report(instruction, "DL3014: apt-get install needs -y")
            }
            if (!install.includes("--no-install-recommends")) {
              report(instruction, "DL3015: apt-get install needs --no-install-recommends")
            }
          }
          const caches = /apt-get|npm ci/.test(command)
          if (options.variant === "ci" && mounts.length > 0) {
            report(instruction, "kaniko has no RUN --mount; the CI variant must not use it")
          }
          if (
            options.variant === "local" &&
            caches &&
            !mounts.some((m) => m.includes("type=cache"))
          ) {
            report(instruction, "apt-get and npm ci need a cache mount in the local variant")
          }
          if (
            options.variant === "ci" &&
            /npm ci/.test(command) &&
            !command.includes("$CACHE_DIR")
          ) {
            report(instruction, "npm ci must keep its cache in $CACHE_DIR in the CI variant")
          }
          break
        }
      }
    }
  }

  const last = stages.at(-1)
  if (last !== undefined) {
    const users = last.instructions.filter((instruction) => instruction.getKeyword() === "USER")
    const user = users.at(-1)
    if (user === undefined) {
      problems.push("DL3002: the final stage runs as root; add USER with a non-root user")
    } else if (["root", "0"].includes(argumentsOf(user)[0]?.split(":")[0] ?? "")) {
      report(user, "DL3002: the last USER must not be root")
    }
    const entrypoint = last.instructions.filter((i) => i.getKeyword() === "ENTRYPOINT").at(-1)
    const entrypointArgs = entrypoint?.getRawArgumentsContent()?.replace(/\s/g, "") ?? ""
    if (!entrypointArgs.startsWith('["/usr/bin/tini","--"')) {
      problems.push('the final stage must run under tini: ENTRYPOINT ["/usr/bin/tini", "--"]')
    }
    if (!aptPackagesOf(stages, last.name).has("tini")) {
      problems.push("tini is not installed in the final stage")
    }
    if (!last.instructions.some((instruction) => instruction.getKeyword() === "CMD")) {
      problems.push("the final stage has no CMD")
    }
  }
  return problems
}
