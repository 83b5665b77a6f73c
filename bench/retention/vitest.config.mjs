// The retention bench's suite, plain (BENCH_LEAKWATCH unset) or with leakwatch loaded as an installed package is.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const setup = process.env.BENCH_LEAKWATCH

export default {
  root: path.join(here, 'suite'),
  cacheDir: path.join(here, '.cache', setup ? 'leakwatch' : 'plain'),
  test: {
    include: ['*.test.js'],
    setupFiles: setup ? [setup] : [],
    server: { deps: { external: [/\/js\/(core|vitest)\/[^/]+\.js$/, /\/js\/native\.js$/, /\/index\.js$/] } },
  },
}
