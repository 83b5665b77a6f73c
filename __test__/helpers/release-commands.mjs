// The release's commands live in package.json's scripts: the release workflow (.github/workflows/release.yml) builds
// with `npm run build`, moves the binaries with `npm run artifacts` and publishes with `npm publish`, which runs
// `prepublishOnly`; install.test.mjs runs the same scripts to release the package here. Read from one place, so the
// workflow and the test cannot drift apart (release-workflow.test.mjs checks the workflow's side).

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './run-vitest.mjs'

export const MANIFEST = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'))

/** The napi CLI's arguments in package.json's script `name`, which must be a single `napi` command. */
export function napiScript(name) {
  const script = MANIFEST.scripts?.[name]
  assert.equal(typeof script, 'string', `package.json has no "${name}" script`)
  const [tool, ...args] = script.trim().split(/\s+/)
  assert.equal(tool, 'napi', `package.json's "${name}" script must be one napi command, not: ${script}`)
  assert.ok(!/[;&|<>$`]/.test(script), `package.json's "${name}" script must be one plain command, not: ${script}`)
  return args
}

// On Windows `npm` is a .cmd script, which Node spawns only through a shell; npm's own entry point, run by this Node,
// needs none. Elsewhere the `npm` on the PATH, as a user runs it.
const WINDOWS_NPM_CLI = path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js')

/** `[command, args]` that run npm with `args` on this platform. */
export function npmCommand(args) {
  if (process.platform === 'win32' && existsSync(WINDOWS_NPM_CLI)) return [process.execPath, [WINDOWS_NPM_CLI, ...args]]
  return ['npm', args]
}

/** The declared target (napi.targets) this machine runs, with its C library on Linux; undefined if none is. */
export async function hostTarget() {
  const { readNapiConfig } = await import('@napi-rs/cli')
  const { targets } = await readNapiConfig(path.join(REPO_ROOT, 'package.json'))
  const libc =
    process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl') : undefined
  return targets.find(
    (target) =>
      target.platform === process.platform &&
      target.arch === process.arch &&
      (libc === undefined || target.abi === libc),
  )
}
