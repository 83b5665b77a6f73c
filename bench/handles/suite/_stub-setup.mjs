// Stand-in for js/vitest/index.js while it is not built (LEAKWATCH_BENCH_STUB=1):
// an enabled no-op init hook is the fixed cost any async_hooks-based tracker pays.
import { createHook } from 'node:async_hooks';

createHook({ init() {} }).enable();
