// The release workflow (.github/workflows/release.yml) cannot run here; what it runs can. Its build and pack commands
// are package.json's scripts, the ones install.test.mjs runs to release the package locally (see
// helpers/release-commands.mjs): this checks that the workflow keeps to them, builds every declared target with one
// of them, tests each built binary with the package and install tests, and publishes what it built.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readNapiConfig } from '@napi-rs/cli'
import { load } from 'js-yaml'
import { napiScript } from './helpers/release-commands.mjs'
import { REPO_ROOT } from './helpers/run-vitest.mjs'

const WORKFLOW_FILE = path.join(REPO_ROOT, '.github', 'workflows', 'release.yml')
const workflow = load(readFileSync(WORKFLOW_FILE, 'utf8'))
const { targets, binaryName } = await readNapiConfig(path.join(REPO_ROOT, 'package.json'))
const declared = targets.map((target) => target.triple).sort()

/** Every `run:` of a job, in order. */
const runsOf = (job) => (workflow.jobs[job]?.steps ?? []).map((step) => step.run).filter(Boolean)
/** The settings of a job's matrix. */
const settingsOf = (job) => workflow.jobs[job]?.strategy?.matrix?.settings ?? []

// How each kind of target is cross-built, on top of the build script: napi-rs's cross toolchain for glibc (glibc 2.17,
// older than any a supported Node needs), zig for musl; macOS and Windows build on their own runners.
const CROSS_FLAGS = { gnu: ['--use-napi-cross'], musl: ['-x'] }

test('the workflow builds every declared target, each with the build script and only a target and a cross flag', () => {
  const builds = settingsOf('build')
  assert.deepEqual(builds.map((settings) => settings.target).sort(), declared, 'the build matrix is napi.targets')
  assert.ok(
    runsOf('build').includes('${{ matrix.settings.build }}'),
    "the build job runs each target's `build` command",
  )
  for (const { target, build } of builds) {
    const abi = targets.find((declaredTarget) => declaredTarget.triple === target).abi
    const expected = ['npm', 'run', 'build', '--', '--target', target, ...(CROSS_FLAGS[abi] ?? [])].join(' ')
    assert.equal(build, expected, `${target} is built with package.json's build script`)
  }
  // The script the install test's binary came from (it takes the one `npm run build` made).
  assert.deepEqual(napiScript('build'), ['build', '--platform', '--release', '--esm'])
})

test('each built binary is uploaded, and tested on its platform with the package and install tests', () => {
  const upload = workflow.jobs.build.steps.find((step) => String(step.uses).startsWith('actions/upload-artifact@'))
  assert.equal(upload?.with?.path, `${binaryName}.*.node`, 'the build job uploads the binary napi build wrote')
  assert.equal(upload?.with?.name, 'bindings-${{ matrix.settings.target }}')
  assert.equal(upload?.with?.['if-no-files-found'], 'error')

  const tested = settingsOf('test')
    .map((settings) => settings.target)
    .sort()
  assert.deepEqual(tested, declared, 'every declared target has a runner here, and its binary is tested on it')
  assert.deepEqual(workflow.jobs.test.needs, 'build')
  const download = workflow.jobs.test.steps.find((step) => String(step.uses).startsWith('actions/download-artifact@'))
  assert.equal(download?.with?.name, 'bindings-${{ matrix.settings.target }}')
  assert.equal(download?.with?.path, '.', 'the binary lands where the loader and the install test look for it')
  const testRun = runsOf('test').find((run) => run.includes('node --test'))
  assert.ok(testRun?.includes('__test__/package.test.mjs'), testRun)
  assert.ok(testRun?.includes('__test__/install.test.mjs'), testRun)
})

test('the publish job packs with the scripts the install test runs, and publishes with provenance', () => {
  const publish = workflow.jobs.publish
  assert.equal(publish.needs, 'test', 'nothing is published before every binary passed its tests')
  assert.match(publish.if, /startsWith\(github\.ref, 'refs\/tags\/v'\)/, 'only a version tag publishes')
  assert.equal(publish.permissions?.['id-token'], 'write', "provenance needs the run's identity")

  const download = publish.steps.find((step) => String(step.uses).startsWith('actions/download-artifact@'))
  assert.equal(download?.with?.pattern, 'bindings-*')
  // `napi artifacts` reads its default folder, where the install test puts its binaries too.
  assert.equal(download?.with?.path, 'artifacts')
  assert.deepEqual(napiScript('artifacts'), ['artifacts'], "the artifacts script uses napi's default folders")

  const runs = runsOf('publish')
  const artifactsAt = runs.indexOf('npm run artifacts')
  const publishAt = runs.findIndex((run) => /^\s*npm publish --provenance --access public\b/m.test(run))
  assert.ok(artifactsAt >= 0, `the publish job runs \`npm run artifacts\`: ${JSON.stringify(runs)}`)
  assert.ok(publishAt > artifactsAt, 'then `npm publish --provenance --access public`, which runs prepublishOnly')
  // What `npm publish` runs first: napi pre-publish, publishing each platform package, as the install test runs it.
  const prePublish = napiScript('prepublishOnly')
  assert.deepEqual(prePublish.slice(0, 3), ['pre-publish', '-t', 'npm'])
  assert.ok(!prePublish.includes('--skip-optional-publish'), 'the release publishes the platform packages')
  const provenance = publish.steps.find((step) => step.run === runs[publishAt])?.env?.NPM_CONFIG_PROVENANCE
  assert.equal(provenance, 'true', 'the platform packages napi pre-publish publishes get provenance too')
})

test('the install test releases with the same scripts', () => {
  const installTest = readFileSync(path.join(REPO_ROOT, '__test__', 'install.test.mjs'), 'utf8')
  assert.match(installTest, /napiScript\('artifacts'\)/)
  assert.match(installTest, /napiScript\('prepublishOnly'\)/)
})
