// leakwatch as npm delivers it. The per-platform packages under npm/ are what `napi create-npm-dirs` makes of the
// declared targets; the main package packs what it needs and nothing else; and, released with the commands the release
// workflow runs (package.json's scripts: the binary `npm run build` made, then `artifacts` and `prepublishOnly`, see
// helpers/release-commands.mjs), its tarballs install into a fresh project with no Rust toolchain on PATH, where
// `leakwatch/vitest` fails a leaking test at its creation line. Without the platform package the same suite gets an
// error that says what was looked for and what to do.
//
// Only the targets whose binary was built here are released (napi refuses a release with a binary missing); the
// other declared targets are checked through their npm/ packages.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { readNapiConfig } from '@napi-rs/cli'
import { MANIFEST, napiScript, npmCommand } from './helpers/release-commands.mjs'
import { FIXTURES, lineOf, plain, REPO_ROOT } from './helpers/run-vitest.mjs'

const NAPI = path.join(REPO_ROOT, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
const FIXTURE = path.join(FIXTURES, 'install')
const { targets, binaryName, packageName } = await readNapiConfig(path.join(REPO_ROOT, 'package.json'))
const RUST_TOOLS = ['cargo', 'rustc', 'rustup', 'cargo.exe', 'rustc.exe']
// npm's settings from an enclosing `npm test` would point the inner npm at this repository (its prefix, its
// package); the cache and registry are the machine's and are kept.
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])
const DROPPED_VARIABLES = /^(INIT_CWD|NODE_PATH|NODE_OPTIONS|NODE_TEST_CONTEXT|NAPI_RS_.*|CARGO.*|RUSTUP.*)$/i
const NOT_FOR_USERS = /^(__test__|src|target|bench|examples|npm|\.ci|\.cargo)\/|fixtures\/|\.test\.|\.node$|^Cargo\./

/** The environment of a user without Rust: no cargo or rustc on PATH, no npm settings of this repository. */
function envWithoutRust() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    const npmSetting = /^npm_/i.test(key) && !KEPT_NPM_SETTINGS.has(key.toLowerCase())
    if (!npmSetting && !DROPPED_VARIABLES.test(key)) env[key] = value
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !RUST_TOOLS.some((tool) => fs.existsSync(path.join(dir, tool))))
    .join(path.delimiter)
  return { ...env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }
}

const ENV = envWithoutRust()

/** Runs a command to its end; fails the test with its output when it does not exit 0 (unless `allowFailure`). */
function run(command, args, { cwd, allowFailure = false } = {}) {
  if (command === 'npm') [command, args] = npmCommand(args)
  const started = performance.now()
  const result = spawnSync(command, args, { cwd, env: ENV, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20 })
  const output = plain(`${result.stdout ?? ''}${result.stderr ?? ''}`)
  const shown = `${command} ${args.join(' ')} (in ${cwd})`
  assert.equal(result.error, undefined, `${shown} did not run: ${result.error?.message}\n${output}`)
  if (!allowFailure) assert.equal(result.status, 0, `${shown} exited ${result.status}:\n${output}`)
  return { status: result.status, stdout: result.stdout, output, ms: performance.now() - started }
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

const binaryOf = (target) => `${binaryName}.${target.platformArchABI}.node`
const platformPackageOf = (target) => `${packageName}-${target.platformArchABI}`

/** The files `npm pack` puts in the package at `dir`. */
function packedFiles(dir) {
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error']
  const [pack] = JSON.parse(run('npm', args, { cwd: dir }).stdout)
  return pack.files.map((file) => file.path)
}

/** Every file the manifest points at (main, types, bin, each export), as `npm pack` names them. */
function manifestEntryFiles(manifest) {
  const files = new Set()
  const collect = (value) => {
    if (typeof value === 'string') files.add(path.posix.normalize(value))
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  collect([manifest.main, manifest.types, manifest.bin, manifest.exports])
  return [...files]
}

test('npm/ holds a package per declared target, as napi create-npm-dirs writes it, with os, cpu and libc', () => {
  const declared = targets.map((target) => target.platformArchABI).sort()
  const folders = fs.readdirSync(path.join(REPO_ROOT, 'npm')).sort()
  assert.deepEqual(folders, declared, 'npm/ has a folder per target of package.json napi.targets, and no other')
  for (const target of targets) {
    const manifest = readJson(path.join(REPO_ROOT, 'npm', target.platformArchABI, 'package.json'))
    assert.equal(manifest.name, platformPackageOf(target))
    assert.equal(manifest.version, MANIFEST.version, `${manifest.name} has the main package's version`)
    assert.deepEqual(manifest.os, [target.platform])
    assert.deepEqual(manifest.cpu, [target.arch])
    const libc = { gnu: ['glibc'], musl: ['musl'] }[target.abi]
    assert.deepEqual(manifest.libc, libc, `${manifest.name}: libc ${JSON.stringify(libc)}`)
    assert.equal(manifest.main, binaryOf(target))
    assert.deepEqual(manifest.files, [binaryOf(target)])
  }

  const scratch = fs.mkdtempSync(path.join(tmpdir(), 'leakwatch-npm-dirs-'))
  try {
    fs.cpSync(path.join(REPO_ROOT, 'package.json'), path.join(scratch, 'package.json'))
    run(process.execPath, [NAPI, 'create-npm-dirs'], { cwd: scratch })
    for (const dir of declared) {
      for (const file of fs.readdirSync(path.join(scratch, 'npm', dir))) {
        const fresh = fs.readFileSync(path.join(scratch, 'npm', dir, file), 'utf8')
        const committed = fs.readFileSync(path.join(REPO_ROOT, 'npm', dir, file), 'utf8')
        assert.equal(committed, fresh, `npm/${dir}/${file} drifted from what napi create-npm-dirs writes; run it`)
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
})

test('the repository names no platform package as a dependency: napi pre-publish adds them at release', () => {
  // A lock file cannot hold a package that is not published yet, so `npm ci` would refuse a package.json naming one.
  const platformPackages = new Set(targets.map(platformPackageOf))
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies']) {
    const listed = Object.keys(MANIFEST[field] ?? {}).filter((dependency) => platformPackages.has(dependency))
    assert.deepEqual(listed, [], `package.json ${field} names platform packages`)
  }
})

test('the packed main package holds the loader, js/, the README and every entry point, and nothing else', () => {
  const files = packedFiles(REPO_ROOT)
  for (const needed of ['package.json', 'README.md', 'index.js', 'index.d.ts', 'js/native.js', 'js/vitest/index.js']) {
    assert.ok(files.includes(needed), `${needed} is not packed; packed: ${files.join(', ')}`)
  }
  for (const entry of manifestEntryFiles(MANIFEST)) {
    assert.ok(files.includes(entry), `package.json points at ${entry}, which is not packed`)
  }
  assert.deepEqual(
    files.filter((file) => NOT_FOR_USERS.test(file)),
    [],
    'packed files a user does not need',
  )
})

// The release and the fresh project, made once for the two tests below.
let work
let project
let builtTargets
const timings = {}

before(() => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'leakwatch-install-'))
  const release = path.join(work, 'release')
  // Where the release job downloads the binaries to: `napi artifacts`' default folder.
  const artifacts = path.join(release, 'artifacts')
  const tarballs = path.join(work, 'tarballs')
  project = path.join(work, 'project')
  for (const dir of [release, artifacts, tarballs, project]) fs.mkdirSync(dir, { recursive: true })

  // The package as a release job checks it out: what npm packs, and npm/.
  for (const file of packedFiles(REPO_ROOT)) fs.cpSync(path.join(REPO_ROOT, file), path.join(release, file))
  fs.cpSync(path.join(REPO_ROOT, 'npm'), path.join(release, 'npm'), { recursive: true })
  builtTargets = targets.filter((target) => fs.existsSync(path.join(REPO_ROOT, binaryOf(target))))
  const expected = targets.map(binaryOf).join(', ')
  assert.ok(builtTargets.length > 0, `no built binary (${expected}) in ${REPO_ROOT}: run npm run build`)
  for (const target of builtTargets) {
    fs.cpSync(path.join(REPO_ROOT, binaryOf(target)), path.join(artifacts, binaryOf(target)))
  }
  const config = path.join(work, 'napi-built-targets.json')
  const triples = builtTargets.map((target) => target.triple)
  fs.writeFileSync(config, JSON.stringify({ binaryName, packageName, targets: triples }))

  // The release job's own commands, with what a release without a registry needs on top: only the targets built
  // here (--config-path), and no publishing of the platform packages (--skip-optional-publish; npm pack below).
  let started = performance.now()
  run(process.execPath, [NAPI, ...napiScript('artifacts'), '--config-path', config], { cwd: release })
  const prePublish = [...napiScript('prepublishOnly'), '--config-path', config, '--skip-optional-publish']
  run(process.execPath, [NAPI, ...prePublish], { cwd: release })
  for (const dir of [release, ...builtTargets.map((target) => path.join(release, 'npm', target.platformArchABI))]) {
    run('npm', ['pack', '--pack-destination', tarballs, '--ignore-scripts', '--loglevel=error'], { cwd: dir })
  }
  timings.release = performance.now() - started

  const tarball = (name) => `file:${path.join(tarballs, `${name}-${MANIFEST.version}.tgz`)}`
  const { vitest, vite } = MANIFEST.devDependencies
  const projectManifest = {
    name: 'leakwatch-install-check',
    private: true,
    type: 'module',
    devDependencies: { leakwatch: tarball(packageName), vitest, vite },
    // The platform packages are not on the registry: this points leakwatch's optional dependency at the tarball, so
    // the binary arrives as npm installs it for a user, through the main package's optionalDependencies.
    overrides: Object.fromEntries(builtTargets.map(platformPackageOf).map((name) => [name, tarball(name)])),
  }
  fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(projectManifest, null, 2)}\n`)
  for (const file of fs.readdirSync(FIXTURE)) fs.cpSync(path.join(FIXTURE, file), path.join(project, file))
  started = performance.now()
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project })
  timings.install = performance.now() - started
})

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

/** vitest, run in the fresh project as its user would, with its JSON report. */
function runProjectSuite() {
  const outputFile = path.join(work, `report-${Date.now()}.json`)
  const vitest = path.join(project, 'node_modules', 'vitest', 'vitest.mjs')
  const args = [vitest, 'run', '--reporter=json', `--outputFile=${outputFile}`]
  const result = run(process.execPath, args, { cwd: project, allowFailure: true })
  assert.ok(fs.existsSync(outputFile), `vitest wrote no report (exit ${result.status}):\n${result.output}`)
  const tests = new Map()
  for (const file of readJson(outputFile).testResults) {
    for (const entry of file.assertionResults) {
      tests.set(entry.fullName, { status: entry.status, message: plain((entry.failureMessages ?? []).join('\n')) })
    }
  }
  return { ...result, tests }
}

const LEAKY = 'leaves its server listening'
const CLEAN = 'closes its server'

test('installed from its tarballs with no Rust on PATH, leakwatch/vitest fails the leaking test at its line', (t) => {
  for (const tool of ['cargo', 'rustc']) {
    const found = spawnSync(tool, ['--version'], { env: ENV, encoding: 'utf8' })
    assert.equal(found.error?.code, 'ENOENT', `${tool} is still on the PATH of the fresh project: ${found.stdout}`)
  }

  const released = readJson(path.join(work, 'release', 'package.json'))
  const pinned = Object.fromEntries(builtTargets.map((target) => [platformPackageOf(target), MANIFEST.version]))
  assert.deepEqual(released.optionalDependencies, pinned, 'napi pre-publish lists the platform packages at the version')

  const installed = path.dirname(createRequire(path.join(project, 'package.json')).resolve('leakwatch/package.json'))
  assert.equal(installed, path.join(project, 'node_modules', 'leakwatch'), 'leakwatch resolves inside the project')
  const bundled = fs.readdirSync(installed).filter((file) => file.endsWith('.node'))
  assert.deepEqual(bundled, [], 'the main package carries no binary')
  for (const target of builtTargets) {
    const binary = path.join(project, 'node_modules', platformPackageOf(target), binaryOf(target))
    assert.ok(fs.existsSync(binary), `${platformPackageOf(target)} was installed, with its binary`)
  }

  const { tests, output, status, ms } = runProjectSuite()
  assert.equal(status, 1, `vitest should fail the run for the leak:\n${output}`)
  const leaky = tests.get(LEAKY)
  assert.equal(leaky?.status, 'failed', `${LEAKY} should fail:\n${output}`)
  assert.ok(leaky.message.includes(`LeakError: test "${LEAKY}" left 1 resource open`), leaky.message)
  assert.match(leaky.message, /TCP server listening on 127\.0\.0\.1:\d+/)
  const line = lineOf('install', 'server.test.js', '// leak:server')
  assert.match(leaky.message, new RegExp(`created at (?:\\S+ \\()?server\\.test\\.js:${line}:\\d+`))
  assert.equal(tests.get(CLEAN)?.status, 'passed', `${CLEAN} should pass:\n${tests.get(CLEAN)?.message}`)

  t.diagnostic(`release (napi artifacts, napi pre-publish, npm pack): ${Math.round(timings.release)} ms`)
  t.diagnostic(`npm install in the fresh project: ${Math.round(timings.install)} ms; vitest run: ${Math.round(ms)} ms`)
})

test('without its platform package (optional dependencies left out), the leak gets the missing-binary error', () => {
  // What npm leaves with --omit=optional, or with a lock file from another platform: the main package alone.
  for (const target of builtTargets) {
    const platformDir = path.join(project, 'node_modules', platformPackageOf(target))
    fs.renameSync(platformDir, `${platformDir}.omitted`)
  }
  const { tests, output } = runProjectSuite()
  const leaky = tests.get(LEAKY)
  assert.equal(leaky?.status, 'failed', `${LEAKY} should fail:\n${output}`)
  const { message } = leaky
  const host = `${process.platform}-${process.arch}`
  assert.match(message, new RegExp(`leakwatch: no native binary for ${host}`), message)
  const hostPackages = builtTargets.filter((target) => target.platformArchABI.startsWith(host)).map(platformPackageOf)
  assert.ok(hostPackages.length > 0, `no built target for this host (${host})`)
  assert.ok(
    hostPackages.some((name) => message.includes(`the package ${name}`)),
    message,
  )
  assert.ok(message.includes(`(it has ${builtTargets.map((target) => target.platformArchABI).join(', ')})`), message)
  if (process.platform === 'linux') {
    assert.match(message, /\((glibc|musl)\)[\s\S]*On (musl|glibc) Linux it is \S+-(musl|gnu)\b/, 'gnu vs musl')
  }
  assert.match(message, /npm install --omit=optional/)
  assert.match(message, /npm ci && npm run build/)
  assert.match(message, /NAPI_RS_NATIVE_LIBRARY_PATH=\S+\.node/)
  assert.doesNotMatch(message, /LeakError/, 'no leak report without the binary that renders it')
  // The binary is needed only to describe a leak: the clean test does not notice it is missing.
  assert.equal(tests.get(CLEAN)?.status, 'passed', `${CLEAN} should pass:\n${tests.get(CLEAN)?.message}`)
})
