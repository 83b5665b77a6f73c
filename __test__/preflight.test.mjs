// `npm test` and `npm run example` on a machine without the programs they run for real (Chromium, redis-server):
// each stops before it builds anything, and the last lines it prints name each missing program and its install
// command. Run with a PATH of symlinks to what npm itself needs (node, npm, sh), so the programs are truly absent.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { findProgram, REQUIRED_PROGRAMS } from '../scripts/required-programs.mjs'
import { REPO_ROOT } from './helpers/run-vitest.mjs'

// npm's settings from an enclosing `npm test` would point the inner npm at them; the cache and registry are kept.
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])

let work

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'leakwatch-preflight-'))
})

after(() => rmSync(work, { recursive: true, force: true }))

/** A directory for PATH with node, npm and sh (what `npm run` needs), and `extra` programs: nothing else. */
function binWith(name, extra = []) {
  const bin = path.join(work, name)
  const programs = { node: process.execPath }
  for (const program of ['npm', 'sh', ...extra]) {
    const found = findProgram(program)
    assert.ok(found, `${program} is not on this machine's PATH`)
    programs[program] = found
  }
  spawnSync('mkdir', ['-p', bin])
  for (const [program, target] of Object.entries(programs)) symlinkSync(target, path.join(bin, program))
  return bin
}

/** Runs `command` in the repository with PATH = `bin`; its stdout and stderr in the order written. */
function runWithPath(bin, command, args) {
  const env = { PATH: bin, HOME: process.env.HOME ?? work, npm_config_update_notifier: 'false', NO_COLOR: '1' }
  for (const [key, value] of Object.entries(process.env)) if (KEPT_NPM_SETTINGS.has(key.toLowerCase())) env[key] = value
  const outputFile = path.join(work, `output-${Date.now()}-${Math.random()}`)
  const fd = openSync(outputFile, 'w')
  let result
  try {
    result = spawnSync(path.join(bin, command), args, {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', fd, fd],
      timeout: 60_000,
    })
  } finally {
    closeSync(fd)
  }
  assert.equal(result.error, undefined, `${command} ${args.join(' ')} did not run`)
  return { status: result.status, output: readFileSync(outputFile, 'utf8') }
}

function lastLines(output, count) {
  return output.trimEnd().split('\n').slice(-count)
}

function missingLine(subject, name) {
  const { neededBy, install } = REQUIRED_PROGRAMS[name]
  return `${subject} needs ${name}, which is not on PATH (${neededBy}); install it: ${install}`
}

test('npm test without Chromium and redis-server: one line for each, last, and exit 1 before any build', () => {
  const { status, output } = runWithPath(binWith('none'), 'npm', ['test'])
  assert.equal(status, 1, output)
  assert.deepEqual(lastLines(output, 2), [missingLine('npm test', 'chromium'), missingLine('npm test', 'redis-server')])
  assert.match(missingLine('npm test', 'chromium'), /: sudo apt-get install chromium$/)
  assert.doesNotMatch(output, /> leakwatch@\S+ build\n/, 'it stopped before the build')
})

test('npm test with redis-server but no Chromium names Chromium alone', () => {
  const { status, output } = runWithPath(binWith('redis-only', ['redis-server']), 'npm', ['test'])
  assert.equal(status, 1, output)
  assert.deepEqual(lastLines(output, 2), ['', missingLine('npm test', 'chromium')])
})

test('npm run example and examples/run.mjs without redis-server: the install line last, exit 1', () => {
  const bin = binWith('no-redis', ['chromium'])
  const npm = runWithPath(bin, 'npm', ['run', 'example'])
  assert.equal(npm.status, 1, npm.output)
  assert.deepEqual(lastLines(npm.output, 1), [missingLine('npm run example', 'redis-server')])
  assert.match(missingLine('npm run example', 'redis-server'), /: sudo apt-get install redis-server$/)
  assert.doesNotMatch(npm.output, /> leakwatch@\S+ build\n/, 'it stopped before the build')
  const direct = runWithPath(bin, 'node', [path.join('examples', 'run.mjs')])
  assert.equal(direct.status, 1, direct.output)
  assert.deepEqual(lastLines(direct.output, 2), ['', missingLine('examples/run.mjs', 'redis-server')])
})
