// The native heap analyser from JS: a snapshot of a process holding a Fastify-like object in a module-level array,
// fed as a file and as a stream of chunks, and a corrupt snapshot's error.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { loadNative } from '../js/native.js'

export const FASTIFY_LIKE = `
class FastifyInstance { constructor() { this.routes = Array.from({ length: 50 }, (_, i) => ({ path: '/r' + i })) } }
const servers = []
function startServer() { servers.push(new FastifyInstance()) }
startServer()
module.exports = { servers }
setTimeout(() => require('node:v8').writeHeapSnapshot(process.argv[2]), 10)
`

let dir
let file

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'leakwatch-heap-'))
  file = path.join(dir, 'app.heapsnapshot')
  const script = path.join(dir, 'app.cjs')
  writeFileSync(script, FASTIFY_LIKE)
  execFileSync(process.execPath, [script, file])
})

after(() => rmSync(dir, { recursive: true, force: true }))

test('analyzeHeapSnapshotFile finds the instance, its path through the module array and its retained size', async () => {
  const native = await loadNative()
  const analysis = JSON.parse(native.analyzeHeapSnapshotFile(file, JSON.stringify({ find: ['FastifyInstance'] })))
  const [match] = analysis.matches
  assert.equal(match.query, 'FastifyInstance')
  assert.equal(match.count, 1)
  const [trace] = match.paths
  assert.equal(trace.target.label, 'FastifyInstance instance')
  const labels = trace.steps.map((step) => step.edgeLabel)
  assert.ok(labels.includes('variable servers'), labels.join(' → '))
  assert.equal(labels.at(-1), 'Array[0]')
  assert.ok(trace.target.retainedSize > trace.target.selfSize, 'it retains its routes')
  assert.ok(analysis.constructors.length > 0)
})

test('HeapSnapshotParser reads a file itself, says how far it got, and stops when the progress callback throws', async () => {
  const native = await loadNative()
  const size = readFileSync(file).length
  const parser = new native.HeapSnapshotParser(file, size)
  const reported = []
  parser.readFile(file, (read) => reported.push(read))
  assert.deepEqual(reported, [size], 'one chunk for a file this small')
  assert.equal(parser.bytesRead, size)
  const read = JSON.parse(parser.finish(JSON.stringify({ find: ['FastifyInstance'] })))
  const direct = JSON.parse(native.analyzeHeapSnapshotFile(file, JSON.stringify({ find: ['FastifyInstance'] })))
  assert.deepEqual(read.matches, direct.matches)

  const stopped = new native.HeapSnapshotParser(file, size)
  assert.throws(
    () =>
      stopped.readFile(file, () => {
        throw new Error('the user pressed ^C')
      }),
    /the user pressed \^C/,
  )
  assert.throws(
    () => new native.HeapSnapshotParser().readFile(path.join(dir, 'missing.heapsnapshot')),
    /leakwatch: cannot read .*missing\.heapsnapshot/,
  )
  const corrupt = path.join(dir, 'corrupt.heapsnapshot')
  writeFileSync(corrupt, readFileSync(file, 'utf8').replace('"nodes":[', '"nodes":[x'))
  assert.throws(
    () => new native.HeapSnapshotParser(corrupt).readFile(corrupt),
    /corrupt\.heapsnapshot is not a valid heap snapshot: byte \d+: expected a number or '\]' in "nodes", found 'x'/,
  )
})

test('HeapSnapshotParser takes the snapshot in chunks and gives the same answer', async () => {
  const native = await loadNative()
  const bytes = readFileSync(file)
  const parser = new native.HeapSnapshotParser()
  for (let at = 0; at < bytes.length; at += 65_521) parser.push(bytes.subarray(at, at + 65_521))
  assert.equal(parser.bytesRead, bytes.length)
  const streamed = JSON.parse(parser.finish(JSON.stringify({ find: ['FastifyInstance'] })))
  const direct = JSON.parse(native.analyzeHeapSnapshotFile(file, JSON.stringify({ find: ['FastifyInstance'] })))
  assert.deepEqual(streamed.matches, direct.matches)
  assert.throws(() => parser.finish(''), /has finished/)
})

test('a corrupt snapshot throws with the byte offset; bad options are InvalidArg', async () => {
  const native = await loadNative()
  const parser = new native.HeapSnapshotParser()
  assert.throws(
    () => parser.push(Buffer.from('{"snapshot":{"meta":{}}, "nodes":[1,2,x')),
    (error) => {
      assert.match(
        error.message,
        /^leakwatch: the heap snapshot is not a valid heap snapshot: byte 22: the "snapshot" header is not valid/,
      )
      assert.equal(error.code, 'InvalidArg')
      return true
    },
  )
  const truncated = path.join(dir, 'truncated.heapsnapshot')
  writeFileSync(truncated, readFileSync(file).subarray(0, 5000))
  // A file's size is known: its header's counts already say that most of it is missing. A stream finds out at its end.
  assert.throws(
    () => native.analyzeHeapSnapshotFile(truncated, ''),
    /byte \d+: the snapshot's header claims \d+ nodes and \d+ edges, which take at least \d+ bytes, but the file has only 5000 bytes: it is corrupt or truncated; take the snapshot again$/,
  )
  const stream = new native.HeapSnapshotParser(truncated)
  stream.push(readFileSync(truncated))
  assert.throws(() => stream.finish(''), /byte 5000: unexpected end of input: expected more of "nodes"/)
  assert.throws(
    () => new native.HeapSnapshotParser('x', -1),
    (error) => {
      assert.equal(error.message, "leakwatch: HeapSnapshotParser's totalBytes must be a whole number of bytes, not -1")
      assert.equal(error.code, 'InvalidArg')
      return true
    },
  )
  assert.throws(
    () => native.analyzeHeapSnapshotFile(file, '{"fnd":[]}'),
    (error) => {
      assert.match(error.message, /the heap analysis options is not valid: unknown field `fnd`/)
      assert.equal(error.code, 'InvalidArg')
      return true
    },
  )
  assert.throws(
    () => native.analyzeHeapSnapshotFile(path.join(dir, 'missing'), ''),
    /leakwatch: cannot read .*missing: No such file/,
  )
})
