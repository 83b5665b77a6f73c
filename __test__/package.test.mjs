// The package as a user gets it: the generated binding matches a fresh build, the public types compile, the
// native calls answer, and a missing binary says what to do.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { hostTarget } from './helpers/release-commands.mjs'
import { REPO_ROOT } from './helpers/run-vitest.mjs'

const HOST = await hostTarget()
const HOST_BINARY = `leakwatch.${HOST?.platformArchABI}.node`
// How this platform's dynamic loader refuses a file that is not a binary for it.
const NOT_A_BINARY = {
  linux: /invalid ELF header|file too short/,
  darwin: /mach-o file|file too short/,
  win32: /not a valid Win32 application/,
}

test('index.js and index.d.ts are what a fresh build generates (npm test builds first)', () => {
  const diff = spawnSync('git', ['diff', '--exit-code', '--stat', '--', 'index.js', 'index.d.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  assert.equal(diff.error, undefined, 'git must be available to compare the generated files')
  assert.equal(diff.status, 0, `the generated binding drifted from the committed one; commit it:\n${diff.stdout}`)
})

test('the public types compile against a usage file, with tsc', () => {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, '__test__', 'types', 'tsconfig.json')], {
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('the messaging example type-checks with tsc (its tests use leakwatch/vitest as users do)', () => {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(REPO_ROOT, 'examples', 'messaging', 'tsconfig.json')],
    { encoding: 'utf8' },
  )
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('the native binding, its test-only calls and loadNative are reachable from no entry of the package', async () => {
  await assert.rejects(import('leakwatch/binding'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
  const main = await import('leakwatch')
  for (const internal of ['loadNative', 'listLoopHandles', 'analyzeHeapSnapshotFile']) {
    assert.equal(internal in main, false, `leakwatch exports ${internal}`)
  }
})

test('this machine is one of the declared targets (napi.targets)', () => {
  assert.ok(HOST, `no declared target for ${process.platform}-${process.arch}`)
})

test('the native side walks the libuv loop and sees a listening server with its address (on Windows: says it does not)', async () => {
  const native = await (await import('../js/native.js')).loadNative()
  const net = await import('node:net')
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    if (process.platform === 'win32') {
      assert.throws(
        () => native.listLoopHandles(),
        /does not walk libuv's handles on windows: .*described from what JS knows/,
      )
      return
    }
    const handles = JSON.parse(native.listLoopHandles())
    const tcp = handles.find(
      (handle) => handle.handleType === 'tcp' && handle.localAddress === `127.0.0.1:${server.address().port}`,
    )
    assert.ok(tcp, `no tcp handle for the server among ${JSON.stringify(handles)}`)
    assert.equal(tcp.hasRef, true)
    assert.equal(typeof tcp.fd, 'number')
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('with no handle to match (no fd from JS, as on Windows), a leaked server is described from what JS knows', async () => {
  const native = await (await import('../js/native.js')).loadNative()
  const { classifiedFrames, pathOf } = await import('../js/core/stack-frames.js')
  const net = await import('node:net')
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const localAddress = `127.0.0.1:${server.address().port}`
    const frames = classifiedFrames(new Error('created').stack, [])
    const input = {
      root: pathOf(REPO_ROOT),
      resources: [{ type: 'TCPSERVERWRAP', asyncId: 1, frames, hasRef: true, localAddress }],
    }
    const [leak, ...rest] = JSON.parse(native.analyzeOpenResources(JSON.stringify(input)))
    assert.deepEqual(rest, [])
    assert.equal(leak.description, `TCP server listening on ${localAddress}`)
    assert.equal(leak.hasRef, true)
    assert.equal(
      leak.site?.file,
      path.join('__test__', 'package.test.mjs').replaceAll(path.sep, '/'),
      JSON.stringify(leak.site),
    )
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('bad input to the native side is a clear error, not a crash', async () => {
  const native = await (await import('../js/native.js')).loadNative()
  assert.throws(
    () => native.analyzeOpenResources('{'),
    /leakwatch: the leak check input is not valid: EOF while parsing/,
  )
  assert.throws(
    () => native.renderLeakReport('{"subject": 1}'),
    /leakwatch: the report input is not valid: invalid type: integer `1`, expected a string/,
  )
})

test('a missing native binary names the platform, the package looked for, and how to build', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'leakwatch-nobinary-'))
  try {
    for (const entry of ['package.json', 'index.js', 'js'])
      cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true })
    const script =
      "import('./js/native.js').then((m) => m.loadNative()).catch((e) => { console.error(e.code + ': ' + e.message); process.exit(3) })"
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: copy,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
    })
    assert.equal(result.status, 3, result.stderr)
    assert.ok(
      result.stderr.includes(
        `LEAKWATCH_NO_BINARY: leakwatch: no native binary for ${process.platform}-${process.arch}`,
      ),
      result.stderr,
    )
    assert.ok(result.stderr.includes(`the package leakwatch-${HOST.platformArchABI}`), result.stderr)
    assert.ok(result.stderr.includes(`the file ${HOST_BINARY}`), result.stderr)
    assert.match(result.stderr, /npm run build/)
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
})

test("a binary that is there but will not load says so, with the loader's reason, not that it is missing", () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'leakwatch-badbinary-'))
  try {
    for (const entry of ['package.json', 'index.js', 'js'])
      cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true })
    const binary = HOST_BINARY
    writeFileSync(path.join(copy, binary), 'not an ELF file, as a truncated download would leave')
    const script =
      "import('./js/native.js').then((m) => m.loadNative()).catch((e) => { console.error(e.code + ': ' + e.message); process.exit(3) })"
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: copy,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
    })
    assert.equal(result.status, 3, result.stderr)
    const platform = `${process.platform}-${process.arch}`
    assert.match(
      result.stderr,
      new RegExp(
        `LEAKWATCH_BINARY_LOAD_FAILED: leakwatch: found its native binary for ${platform} .*but it could not be loaded`,
      ),
    )
    assert.ok(result.stderr.includes(`File: ${path.join(copy, binary)}`), result.stderr)
    assert.match(result.stderr, new RegExp(`Reason: .*(${NOT_A_BINARY[process.platform]?.source})`))
    assert.match(result.stderr, /damaged or was built for another platform/)
    assert.doesNotMatch(result.stderr, /no native binary|--omit=optional/)
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
})

test('cargo fmt leaves the Rust sources as they are', () => {
  execFileSync('cargo', ['fmt', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' })
})

test('prettier leaves the JS and TS sources as they are (npm run format:check)', () => {
  // The script's own arguments (package.json), run with this Node: `prettier --check "<glob>"`.
  const script = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts['format:check']
  const [command, ...args] = script.match(/"[^"]*"|\S+/g).map((word) => word.replace(/^"(.*)"$/, '$1'))
  assert.equal(command, 'prettier')
  const prettier = path.join(REPO_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs')
  const result = spawnSync(process.execPath, [prettier, ...args], { cwd: REPO_ROOT, encoding: 'utf8' })
  assert.equal(result.status, 0, `run npm run format:\n${result.stdout}${result.stderr}`)
})
