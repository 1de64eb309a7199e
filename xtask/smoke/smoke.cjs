'use strict'
// The smoke test through CommonJS: `node smoke.cjs [--no-rust]` inside a project that installed alura.
require('./smoke-run.cjs')(require('alura'), require('alura/testing'), 'CommonJS').catch((e) => {
  console.error(e)
  process.exit(1)
})
