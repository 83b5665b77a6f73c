// Config E's second setup file: leakwatch with its memory checks off (heap: 'off'), to measure what the default memory
// checks (the adaptive heap sample, the closed-server retention check) cost on top of the handle checks.
const { configure } = await import(process.env.LEAKWATCH_BENCH_SETUP);
configure({ heap: 'off' });
