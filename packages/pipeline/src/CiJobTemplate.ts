/**
 * Checks a package's `ciTestJobTemplate` and places it into the generated GitLab CI file. A
 * template is one job's body in YAML with 4-space indentation, starting at column 0; the
 * generator adds `stage`, `needs` and `image`, so the template must not set them.
 */
import * as YAML from "yaml"

/** Keys the generator writes into every job. */
export const generatedJobKeys = ["stage", "needs", "image"] as const

/** A template problem on a line of the template (1-based), or on the template as a whole. */
export interface TemplateProblem {
  readonly line: number | null
  readonly reason: string
}

const columnOf = (lineCounter: YAML.LineCounter, node: YAML.Node) =>
  node.range ? lineCounter.linePos(node.range[0]).col - 1 : 0

const lineOf = (lineCounter: YAML.LineCounter, node: YAML.Node) =>
  node.range ? lineCounter.linePos(node.range[0]).line : null

/**
 * Finds block collections not nested exactly 4 spaces deeper than their key. The text of block
 * scalars (`script: |`) is not checked, because it is the value itself.
 */
const checkIndentation = (
  document: YAML.Document.Parsed,
  lineCounter: YAML.LineCounter
): Array<TemplateProblem> => {
  const problems: Array<TemplateProblem> = []
  YAML.visit(document, {
    Pair(_, pair) {
      const { key, value } = pair
      if (!YAML.isNode(key) || !YAML.isCollection(value) || value.flow === true) return
      if (value.items.length === 0) return
      const keyColumn = columnOf(lineCounter, key)
      const valueColumn = columnOf(lineCounter, value)
      if (valueColumn !== keyColumn + 4) {
        problems.push({
          line: lineOf(lineCounter, value),
          reason: `indented by ${valueColumn} spaces under "${String(key)}" (indented by ${keyColumn}); nest by exactly 4 spaces`
        })
      }
    }
  })
  return problems
}

/**
 * Checks `template` and returns its problems; an empty array means it can be used. Problems
 * carry the 1-based line of the template they were found on.
 */
export const check = (template: string): ReadonlyArray<TemplateProblem> => {
  const lineCounter = new YAML.LineCounter()
  const document = YAML.parseDocument(template, { lineCounter, prettyErrors: false })
  if (document.errors.length > 0) {
    return document.errors.map((error) => ({
      line: lineCounter.linePos(error.pos[0]).line,
      reason:
        error.code === "TAB_AS_INDENT"
          ? "indented with a tab; indent with 4 spaces per level"
          : `invalid YAML: ${error.message.split("\n")[0]}`
    }))
  }
  const contents = document.contents
  if (!YAML.isMap(contents) || contents.flow === true) {
    return [
      {
        line: null,
        reason: "expected a block mapping of job keywords such as script, services and variables"
      }
    ]
  }
  const problems: Array<TemplateProblem> = []
  if (columnOf(lineCounter, contents) !== 0) {
    problems.push({
      line: lineOf(lineCounter, contents),
      reason: "the template starts indented; write its top-level keys at column 0"
    })
  }
  problems.push(...checkIndentation(document, lineCounter))
  const keys = new Set<string>()
  for (const pair of contents.items) {
    const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    keys.add(key)
    if ((generatedJobKeys as ReadonlyArray<string>).includes(key)) {
      problems.push({
        line: YAML.isNode(pair.key) ? lineOf(lineCounter, pair.key) : null,
        reason: `"${key}" is set by the generator; remove it from the template`
      })
    }
  }
  if (!keys.has("script") && !keys.has("extends") && !keys.has("trigger")) {
    problems.push({ line: null, reason: "a job needs a script; add a script key" })
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
}

/**
 * Indents a checked template by `levels` steps of 4 spaces. Leading and trailing blank lines are
 * dropped and blank lines inside stay empty.
 */
export const indent = (template: string, levels: number) =>
  template
    .replace(/\r\n/g, "\n")
    .replace(/^(?:[ \t]*\n)+/, "")
    .replace(/\s+$/, "")
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : " ".repeat(4 * levels) + line))
    .join("\n")
