// Stops an npm script early when the Node.js on PATH is older than the project needs, with a
// message that explains how to get the right one. Written to run on any Node version.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `error: Node.js ${process.version} is too old; this project needs 22.19 or newer (24 LTS). ` +
      "Run ./dev/install_requirements.sh, then either use ./dev/run.sh or put the installed " +
      'Node first on PATH: export PATH="$PWD/.tools/node/bin:$PATH"'
  )
  process.exit(1)
}
