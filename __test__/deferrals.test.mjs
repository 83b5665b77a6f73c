// The way back through deferred callbacks, at the level of the async hook: what a tick keeps, how far a chain goes,
// and that Node's own ticks capture nothing (the cost of creation sites through callbacks stays bounded).

import assert from 'node:assert/strict'
import { createHook } from 'node:async_hooks'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { test } from 'node:test'
import { AsyncResourceTracker } from '../js/core/async-tracker.js'
import { Deferral, DEFERRAL, hopsBack, MAX_HOPS } from '../js/core/deferrals.js'
import { LeakScope } from '../js/core/leak-scope.js'

const THIS_FILE = new URL(import.meta.url).pathname

/** Runs `fn` with a tracker recording Timeouts into a fresh scope; returns the scope's records. */
async function tracked(fn) {
  const tracker = new AsyncResourceTracker(['Timeout', 'TCPWRAP'])
  tracker.enable()
  const scope = new LeakScope('test "deferrals"')
  tracker.activeScope = scope
  try {
    await fn()
  } finally {
    tracker.disable()
  }
  return scope.records
}

/** The 1-based line of this file holding `marker`. */
function lineOf(marker) {
  return (
    readFileSync(THIS_FILE, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(marker) && !line.includes('lineOf(')) + 1
  )
}

test('a timer set at the end of a chain of ticks keeps the chain back to the line that started it, at most MAX_HOPS long', async () => {
  let timer
  const records = await tracked(
    () =>
      new Promise((resolve) => {
        const hop = (left) => {
          if (left === 0) {
            timer = setTimeout(() => {}, 1000)
            return resolve()
          }
          process.nextTick(hop, left - 1)
        }
        process.nextTick(hop, MAX_HOPS + 4) // started here
      }),
  )
  const record = records.find((entry) => entry.resource === timer)
  clearTimeout(timer)
  assert.ok(record, 'the timer was recorded')
  const hops = hopsBack(record.stackHolder)
  assert.equal(hops.length, MAX_HOPS, 'a chain never holds more than MAX_HOPS hops')
  assert.ok(hops.every((hop) => hop.type === 'TickObject'))
  // The innermost hop: the last tick, scheduled by `hop`; the outermost: the line that started the chain.
  assert.match(hops[0].stack, /at hop \(/)
  assert.ok(hops.at(-1).stack.includes(`${THIS_FILE}:${lineOf('// started here')}:`), hops.at(-1).stack)
})

test("a resource made in a recorded timer's callback keeps the timer's creation stack, taken while it runs", async () => {
  let inner
  const records = await tracked(
    () =>
      new Promise((resolve) => {
        setTimeout(function outerTimer() {
          inner = setTimeout(() => {}, 1000)
          resolve()
        }, 1)
      }),
  )
  clearTimeout(inner)
  const record = records.find((entry) => entry.resource === inner)
  const [hop] = hopsBack(record.stackHolder)
  assert.equal(hop.type, 'Timeout')
  assert.equal(hop.repeats, false)
  assert.match(hop.stack, /at new Promise|at .*deferrals\.test\.mjs/)
})

test('the ticks Node schedules for its own callbacks capture no stack: only the first of each is looked at', async () => {
  const ticks = []
  const spy = createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      if (type === 'TickObject' && resource.callback?.name === 'emitCloseNT') ticks.push(resource)
    },
  })
  await tracked(async () => {
    spy.enable()
    const server = net.createServer((socket) => socket.destroy())
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    for (let round = 0; round < 3; round++) {
      const client = net.connect(server.address().port, '127.0.0.1')
      await once(client, 'close')
    }
    server.close()
    await once(server, 'close')
    spy.disable()
  })
  assert.ok(ticks.length >= 3, `Node closed sockets through emitCloseNT ticks (saw ${ticks.length})`)
  for (const tick of ticks)
    assert.ok(
      !(tick[DEFERRAL] instanceof Deferral) || tick[DEFERRAL].type !== 'TickObject',
      'no stack captured for a tick of Node',
    )
})
