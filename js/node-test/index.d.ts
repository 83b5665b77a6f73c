// leakwatch/node-test: `import 'leakwatch/node-test'` at the top of a test file, or `node --import
// leakwatch/node-test --test`, checks every test of the file after it ends (after its afterEach and t.after hooks).
import type { TestApi } from '../index.js'

export type { Leak, LeakwatchOptions, ReferencePattern, ResourceDelta, ResourceKind, TestApi } from '../index.js'
export { LeakError } from '../index.js'

// The test API, declared and documented once (TestApi, in ../index.d.ts).
export declare const configure: TestApi['configure']
export declare const expectNoLeaks: TestApi['expectNoLeaks']
export declare const watch: TestApi['watch']
export declare const allowLeaks: TestApi['allowLeaks']
export declare const resourceDelta: TestApi['resourceDelta']
