// Writes a large heap snapshot: millions of small objects in an array, and one Target held through a chain a
// retainer path must find. Usage: node make-snapshot.cjs <out.heapsnapshot> [object count]
const v8 = require('node:v8')

const [out, countArg] = process.argv.slice(2)
const count = Number(countArg ?? 3_000_000)

class Target {
  constructor() {
    this.payload = new Array(1000).fill(0).map((_, i) => ({ i }))
  }
}
class Registry {
  constructor() {
    this.entries = new Map()
  }
}

function build() {
  const items = new Array(count)
  for (let i = 0; i < count; i++) items[i] = { a: i, b: 'x' + (i % 1000) }
  globalThis.items = items
  const registry = new Registry()
  registry.entries.set('target', { holder: new Target() })
  globalThis.registry = registry
}

build()
// From a timer, so nothing is held by the stack of the code that built the graph.
setTimeout(() => {
  v8.writeHeapSnapshot(out)
}, 10)
