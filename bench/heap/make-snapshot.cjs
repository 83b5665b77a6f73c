// Writes a large heap snapshot of one of two shapes, each with one Target held through a chain a retainer path
// must find. Usage: node make-snapshot.cjs <out.heapsnapshot> <shape> [object count]
//   wide:  millions of two-field objects in one array (few edges per node, many nodes).
//   dense: a Map of arrays of small objects of several classes that point at one another (about four edges per
//          node): the shape of an application's caches and indexes, where the edge list dominates the file.
const v8 = require('node:v8')

const [out, shape, countArg] = process.argv.slice(2)

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

function buildWide(count) {
  const items = new Array(count)
  for (let i = 0; i < count; i++) items[i] = { a: i, b: 'x' + (i % 1000) }
  globalThis.items = items
  const registry = new Registry()
  registry.entries.set('target', { holder: new Target() })
  globalThis.registry = registry
}

// Several classes, each with object fields: every instance has its map, two to four references to other
// instances (in its own bucket and in others) and a shared string.
class Account {
  constructor(id, label) {
    this.id = id
    this.label = label
    this.owner = null
    this.last = null
  }
}
class Session {
  constructor(account, previous, label) {
    this.account = account
    this.previous = previous
    this.label = label
  }
}
class Order {
  constructor(session, account, label) {
    this.session = session
    this.account = account
    this.label = label
    // A fraction: a heap number of its own, a node with no edges, as most small values in real heaps are.
    this.total = 0.5
  }
}
class Line {
  constructor(order, previous, label, price) {
    this.order = order
    this.previous = previous
    this.label = label
    this.price = price
  }
}

function buildDense(count) {
  const labels = Array.from({ length: 5000 }, (_, i) => `label-${i}`)
  const buckets = new Map()
  const perBucket = 1000
  let previousBucket = []
  for (let made = 0, b = 0; made < count; b++) {
    const bucket = []
    let account = null
    let session = null
    let order = null
    let line = null
    for (let i = 0; i < perBucket && made < count; i++, made++) {
      const label = labels[(made * 7) % labels.length]
      const neighbour = previousBucket[i] ?? null
      switch (i % 4) {
        case 0:
          account = new Account(made, label)
          account.owner = neighbour
          account.last = line
          bucket.push(account)
          break
        case 1:
          session = new Session(account, session ?? neighbour, label)
          bucket.push(session)
          break
        case 2:
          order = new Order(session, account, label)
          order.total = made + 0.5
          bucket.push(order)
          break
        default:
          line = new Line(order, line ?? neighbour, label, made / 4)
          bucket.push(line)
      }
    }
    buckets.set(`bucket-${b}`, bucket)
    previousBucket = bucket
  }
  // The Target sits in the middle, held by one Order: the path runs Map -> array -> Order -> Target.
  const middle = buckets.get(`bucket-${Math.floor(buckets.size / 2)}`)
  middle[2].target = new Target()
  globalThis.buckets = buckets
}

if (shape === 'wide') buildWide(Number(countArg ?? 4_000_000))
else if (shape === 'dense') buildDense(Number(countArg ?? 4_000_000))
else throw new Error(`unknown shape ${JSON.stringify(shape)}: wide or dense`)
// From a timer, so nothing is held by the stack of the code that built the graph.
setTimeout(() => {
  v8.writeHeapSnapshot(out)
}, 10)
