// Config D, the floor: an enabled no-op init hook is the fixed cost any async_hooks-based tracker pays.
// Also config B's stand-in while js/vitest/index.js is not built (LEAKWATCH_BENCH_STUB=1).
import { createHook } from 'node:async_hooks';

createHook({ init() {} }).enable();
