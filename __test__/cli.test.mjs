// `leakwatch analyze` and `leakwatch diff` as a user runs them: the printed leak trace, the diff table, usage
// errors and exit codes; and output that cannot be written.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'

const CLI = fileURLToPath(new URL('../js/cli.js', import.meta.url))

const PROGRAM = (extra) => `
class FastifyInstance { constructor() { this.routes = Array.from({ length: 50 }, (_, i) => ({ path: '/r' + i })) } }
const servers = []
function startServer() { servers.push(new FastifyInstance()) }
startServer()
${extra}
module.exports = { servers }
setTimeout(() => require('node:v8').writeHeapSnapshot(process.argv[2]), 10)
`

let dir
let before1
let after1

function snapshot(name, source) {
  const script = path.join(dir, `${name}.cjs`)
  const file = path.join(dir, `${name}.heapsnapshot`)
  writeFileSync(script, source)
  execFileSync(process.execPath, [script, file])
  return file
}

function leakwatch(...args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'leakwatch-cli-'))
  before1 = snapshot('before', PROGRAM(''))
  after1 = snapshot('after', PROGRAM('class Session {}; globalThis.sessions = Array.from({ length: 300 }, () => new Session())'))
})

after(() => rmSync(dir, { recursive: true, force: true }))

test('analyze --find prints the leak trace from a GC root to the instance', () => {
  const result = leakwatch('analyze', before1, '--find', 'FastifyInstance')
  assert.equal(result.status, 0, result.stderr)
  const out = result.stdout
  assert.match(out, /Biggest retained objects by constructor:/)
  assert.match(out, /FastifyInstance: 1 found, 1 still reachable/)
  assert.match(out, /┬───\n│ GC Root: .+\n│\n/)
  assert.match(out, /│ {4}↓ variable servers\n├─ Array instance {2}\(@\d+, \d+ B self, retains [\d.]+ k?B\)\n│ {4}↓ Array\[0\]\n╰→ FastifyInstance instance {2}\(@\d+, 96 B self, retains [\d.]+ kB\)/)
})

test('analyze --id finds one object; --json gives the native JSON', () => {
  const json = JSON.parse(leakwatch('analyze', before1, '--find', 'FastifyInstance', '--json').stdout)
  const id = json.matches[0].paths[0].target.id
  const result = leakwatch('analyze', before1, '--id', `@${id}`)
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, new RegExp(`@${id}: 1 found, 1 still reachable`))
  assert.match(result.stdout, /╰→ FastifyInstance instance/)
  const missing = leakwatch('analyze', before1, '--find', 'NoSuchThing', '--id', '999999999')
  assert.equal(missing.status, 1, 'an --id or --find that matches nothing exits 1')
  assert.match(missing.stdout, /NoSuchThing: no such object in the snapshot\./)
  assert.match(missing.stderr, /^leakwatch: nothing in .* matched NoSuchThing, @999999999\n$/)
})

test('diff lists the constructors that grew with +count and +bytes', () => {
  const result = leakwatch('diff', before1, after1)
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /Grown, by constructor \(largest growth first\):/)
  assert.match(result.stdout, /\+[\d.]+ kB\s+\+300\s+0 → 300\s+\d+\s+Session\n/)
  const json = JSON.parse(leakwatch('diff', before1, after1, '--json').stdout)
  const session = json.grown.find((group) => group.name === 'Session')
  assert.equal(session.countDelta, 300)
})

test('usage errors exit 2 with a message; a corrupt snapshot exits 1', () => {
  const unknown = leakwatch('frobnicate')
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /^leakwatch: unknown command "frobnicate"\n\nUsage:/)
  const missing = leakwatch('analyze', path.join(dir, 'nope.heapsnapshot'))
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /^leakwatch: cannot read .*nope\.heapsnapshot: no such file\n/)
  assert.equal(leakwatch('analyze').status, 2)
  assert.equal(leakwatch('diff', before1).status, 2)
  assert.match(leakwatch('analyze', before1, '--id', 'abc').stderr, /--id wants a whole number, not "abc"/)
  assert.match(leakwatch('analyze', before1, '--bogus').stderr, /Unknown option '--bogus'/)
  const corrupt = path.join(dir, 'corrupt.heapsnapshot')
  writeFileSync(corrupt, '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]}},"nodes":[0,0,1,0,0,]}')
  const result = leakwatch('analyze', corrupt)
  assert.equal(result.status, 1)
  assert.match(result.stderr, /^leakwatch: .*corrupt\.heapsnapshot is not a valid heap snapshot: byte \d+: expected a number in "nodes", found ']'\n$/)
  const help = leakwatch('--help')
  assert.equal(help.status, 0)
  assert.match(help.stdout, /leakwatch analyze <file.heapsnapshot>/)
  for (const args of [['analyze', '--help'], ['diff', '-h'], ['merge', '--help'], ['analyze', before1, '--help']]) {
    const commandHelp = leakwatch(...args)
    assert.equal(commandHelp.status, 0, `${args.join(' ')}: ${commandHelp.stderr}`)
    assert.match(commandHelp.stdout, /^Usage:\n/)
    assert.equal(commandHelp.stderr, '')
  }
  const version = leakwatch('--version')
  assert.equal(version.status, 0)
  assert.equal(version.stdout, `leakwatch ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`)
})

/** A 1 KB snapshot whose header says `counts`: nodes enough to look real, far fewer than a corrupt header claims. */
function claimingSnapshot(name, counts) {
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [['hidden', 'object'], 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
  }
  const nodes = Array.from({ length: 36 }, () => '0,0,1,0,0,0,0').join(',')
  const file = path.join(dir, `${name}.heapsnapshot`)
  writeFileSync(file, `{"snapshot":{"meta":${JSON.stringify(meta)},${counts}},\n"nodes":[${nodes}],\n"edges":[],\n"strings":["a"]}`)
  return file
}

/** The CLI with its address space capped at 4 GB (Node 24 reserves more than 1 GB at start) (native memory included, which --max-old-space-size leaves alone). */
function leakwatchCapped(...args) {
  return spawnSync('bash', ['-c', 'ulimit -v 4194304 && exec "$0" "$@"', process.execPath, CLI, ...args], { encoding: 'utf8' })
}

test("a header claiming more nodes than the file can hold is a corrupt snapshot (exit 1), not a huge allocation", () => {
  const file = claimingSnapshot('claims-too-many', '"node_count":1000000000000,"edge_count":0,"trace_function_count":0')
  assert.ok(statSync(file).size <= 1024, `${statSync(file).size} bytes`)
  const result = leakwatchCapped('analyze', file)
  assert.equal(result.signal, null, result.stderr)
  assert.equal(result.status, 1, result.stderr)
  assert.equal(
    result.stderr,
    `leakwatch: ${file} is not a valid heap snapshot: byte ${readFileSync(file, 'utf8').indexOf('},\n')}: the snapshot's header claims ` +
      `1000000000000 nodes, which take at least 14000000000000 bytes, but the file has only ${statSync(file).size} bytes: it is ` +
      'corrupt or truncated; take the snapshot again\n',
  )
  // The same counts, true ones, in the same file: it parses under the same cap.
  const truthful = claimingSnapshot('claims-what-it-has', '"node_count":36,"edge_count":0,"trace_function_count":0')
  const ok = leakwatchCapped('analyze', truthful, '--json')
  assert.equal(ok.status, 0, ok.stderr)
  assert.equal(JSON.parse(ok.stdout).nodeCount, 36)
})

test('a header count that is negative or not whole is a corrupt snapshot (exit 1) that says which', () => {
  for (const [counts, key, value] of [
    ['"node_count":-1,"edge_count":0', 'node_count', '-1'],
    ['"node_count":36,"edge_count":2.5', 'edge_count', '2.5'],
  ]) {
    const result = leakwatchCapped('analyze', claimingSnapshot('not-a-count', counts))
    assert.equal(result.status, 1, result.stderr)
    assert.match(
      result.stderr,
      new RegExp(`is not a valid heap snapshot: byte \\d+: the snapshot's header gives ${key} as ${value.replace('.', '\\.')}, which is not a count \\(a whole number from 0 up\\): the file is corrupt; take the snapshot again\\n$`),
    )
  }
})

test('stdout that cannot be written (a full disk) is said in one line, with exit code 1, not thrown with a stack', () => {
  // /dev/full refuses every write with ENOSPC, as a full disk does.
  const full = openSync('/dev/full', 'w')
  try {
    const result = spawnSync(process.execPath, [CLI, '--help'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' })
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stderr, 'leakwatch: cannot write to stdout: ENOSPC: no space left on device, write\n')
  } finally {
    closeSync(full)
  }
})
