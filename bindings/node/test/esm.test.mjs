import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { Client, Asset, ValidationError } from 'alura'
import { MockServer } from 'alura/testing'

const require = createRequire(import.meta.url)

test('ESM and CommonJS imports give the same classes', () => {
  const cjs = require('alura')
  assert.equal(Client, cjs.Client)
  assert.equal(ValidationError, cjs.ValidationError)
  assert.equal(MockServer, require('alura/testing').MockServer)
  assert.equal(Asset.BTC, 0)
})

test('a call through the ESM entry', async () => {
  const mock = new MockServer()
  try {
    const client = new Client({ baseUrl: mock.url })
    assert.deepEqual((await client.getSymbols()).symbols.slice(0, 2), ['BTC', 'ETH'])
  } finally {
    mock.close()
  }
})
