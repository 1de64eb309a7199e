'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const tsc = (...args) =>
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...args], { cwd: root, encoding: 'utf8' })

test('the TypeScript example type-checks strictly', () => {
  const result = tsc('-p', 'tsconfig.json')
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('a misspelt field and a wrong enum value do not compile', () => {
  const result = tsc('--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', 'test/fixtures/misspelt.ts')
  assert.notEqual(result.status, 0)
  assert.match(result.stdout, /'budgett' does not exist in type 'CreateTradingSessionParams'/)
  assert.match(result.stdout, /Type '"Reckless"' is not assignable to type 'ExecutionStrategy'/)
})
