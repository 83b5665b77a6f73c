'use strict'
// Loaded by Node's own require (see index.cjs), so the import() below is Node's, in the worker's realm: the adapter
// and the core are loaded once per worker, whatever jest does with its module registries.

module.exports = function loadAdapter() {
  return import('./adapter.js')
}
