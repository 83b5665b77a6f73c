// The README's first command keeps working: the bundled example catches its planted leaks and passes its fixes.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { plain, REPO_ROOT } from './helpers/run-vitest.mjs'

test('npm run example: every planted leak caught at its line, fixed tests pass', () => {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'examples', 'run.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  const output = plain(result.stdout + result.stderr)
  assert.equal(result.status, 0, output)
  assert.match(output, /leakwatch caught every planted leak/)
  // Sites are relative to the suite's root, as vitest names files.
  assert.match(output, /created at src\/chat-server\.ts:19:\d+/)
  assert.match(output, /> 19 \|.*server\.listen\(0, '127\.0\.0\.1', resolve\)/)
  assert.match(output, /called from test\/leaky\.test\.ts:\d+:\d+/)
})
