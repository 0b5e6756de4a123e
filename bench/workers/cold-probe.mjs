// Runs in a fresh `node` process: loads one bundle, builds its dependencies the way the first
// invocation would, and prints the timings as JSON. `performance.now()` counts from process start.
const bundle = process.argv[2];
const loadStart = performance.now();
const mod = await import(bundle);
const loaded = performance.now();
let initError;
for (const [name, value] of Object.entries(mod)) {
  if (typeof value !== 'function' || !/DependenciesFromEnv$/.test(name)) continue;
  try {
    value();
  } catch (error) {
    initError = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
const ready = performance.now();
process.stdout.write(
  JSON.stringify({
    bootMs: loadStart,
    loadMs: loaded - loadStart,
    initMs: ready - loaded,
    readyMs: ready,
    initError,
  }),
);
