#!/usr/bin/env node
// The `alura` command of the npm package (`npx alura ...`): the Rust CLI, in this process, from
// the same addon as the library, so no Rust toolchain is needed.
'use strict'
const { runCli } = require('../native/index.js')

process.exitCode = runCli(['alura', ...process.argv.slice(2)])
