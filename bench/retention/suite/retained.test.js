// A file whose tests each keep the server they closed, in a module-level array: the retention check leakwatch makes
// when a file ends finds closed servers from every test still reachable, takes a heap snapshot for their retainer
// path, and fails the file. BENCH_BALLAST_MB: what a larger suite's worker holds besides (small objects), so that the
// snapshot is of that size.
import http from 'node:http'
import { afterAll, test } from 'vitest'

const kept = []
const ballast = Array.from({ length: Number(process.env.BENCH_BALLAST_MB ?? 0) * 12_500 }, (_, i) => ({ i, s: `${i}` }))

for (let i = 0; i < 10; i++) {
  test(`keeps the server it closed (${i})`, async () => {
    const server = http.createServer()
    await new Promise((resolve) => server.listen(0, resolve))
    await new Promise((resolve) => server.close(resolve))
    kept.push(server)
  })
}

afterAll(() => {
  console.log(
    `BENCH_HEAP_MB ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} (ballast of ${ballast.length} objects)`,
  )
})
