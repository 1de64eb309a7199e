'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const native = require('../native/index.js')
const alura = require('alura')
const { key, withMock, clientFor, sent } = require('./helpers.js')

const camel = (id) => id.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

test('every operation has a method', () => {
  const ids = native.operations().map((op) => op.id)
  const spec = require('../../../openapi/alura.json')
  assert.equal(ids.length, Object.values(spec.paths).flatMap(Object.keys).length)
  for (const id of ids) assert.equal(typeof alura.Client.prototype[camel(id)], 'function', camel(id))
})

test('Asset agrees with the Rust SDK', () => {
  assert.deepEqual(Object.entries(alura.Asset), native.assets())
  assert.ok(Object.isFrozen(alura.Asset))
})

test('configuration falls back to the environment', () =>
  withMock(async (mock) => {
    const privateKey = key()
    process.env.ALURA_BASE_URL = mock.url
    process.env.ALURA_PRIVATE_KEY = privateKey
    try {
      const client = alura.Client.fromEnv()
      assert.equal(client.baseUrl, mock.url)
      const profile = await client.getProfile()
      assert.equal(profile.address, client.address)
      assert.equal(new alura.Client({ baseUrl: mock.url }).address, client.address)
    } finally {
      delete process.env.ALURA_BASE_URL
      delete process.env.ALURA_PRIVATE_KEY
    }
    assert.equal(new alura.Client().baseUrl, 'https://testnet-api.alura.fun')
    assert.equal(alura.DEFAULT_BASE_URL, 'https://testnet-api.alura.fun')
  }))

test('inspect and JSON show the url and address, never a secret', () =>
  withMock(async (mock) => {
    const privateKey = key()
    const token = 'alura_secret_token_for_inspect'
    const client = new alura.Client({ baseUrl: mock.url, privateKey, token })
    const text = util.inspect(client, { showHidden: true, depth: 10 }) + JSON.stringify(client) + String(client)
    assert.ok(text.includes(mock.url) && text.includes(client.address), text)
    assert.ok(!text.includes(privateKey.slice(2)) && !text.includes(token), text)
  }))

test('bad configuration is a ValidationError', () => {
  assert.throws(() => new alura.Client({ privateKey: '0x1234' }), (e) => {
    assert.ok(e instanceof alura.ValidationError)
    assert.equal(e.code, 'ERR_ALURA_VALIDATION')
    assert.ok(!e.message.includes('0x1234'))
    return true
  })
  assert.throws(() => new alura.Client({ baseUrl: 'http://example.com' }), /refusing plain http/)
  assert.throws(() => new alura.Client({ timeoutMs: -5 }), alura.ValidationError)
})

test('withOptions shares the login', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.login()
    const patient = client.withOptions({ maxRetries: 5, timeoutMs: 5000 })
    assert.ok(patient instanceof alura.Client)
    await patient.getProfile()
    assert.equal(sent(mock, 'verify_signature'), 1)
  }))

test('options out of range or of the wrong type are a ValidationError naming the option', () => {
  for (const maxRetries of [-1, 1e10, NaN, 2.5, Infinity]) {
    assert.throws(() => new alura.Client({ maxRetries }), (e) => {
      assert.ok(e instanceof alura.ValidationError, `${maxRetries}: ${e}`)
      assert.match(e.message, /maxRetries must be a whole number from 0 to 100/)
      return true
    })
  }
  assert.throws(() => new alura.Client({ maxRetries: '3' }), /maxRetries must be a number, not string/)
  assert.throws(() => new alura.Client({ strict: 'yes' }), /strict must be a boolean, not string/)
  assert.throws(() => new alura.Client({ timeoutMs: -5 }), alura.ValidationError)
  assert.throws(() => new alura.Client({ maxResponseBytes: 10 }), /maxResponseBytes must be a whole number of bytes/)
  assert.throws(() => new alura.Client({ maxRetrys: 3 }), /unknown option maxRetrys/)
  const client = new alura.Client({ maxRetries: 3 })
  assert.throws(() => client.withOptions({ maxRetries: -1 }), alura.ValidationError)
  assert.throws(() => client.withOptions({ timeoutMs: 'soon' }), /timeoutMs must be a number, not string/)
})

test('InternalError, what a caught panic in the core becomes, is exported with its code', () => {
  const err = new alura.InternalError('internal error in the Alura SDK: boom; please report it')
  assert.ok(err instanceof alura.AluraError)
  assert.equal(err.code, 'ERR_ALURA_INTERNAL')
})

test('a closed client refuses calls, and so do its copies; Symbol.asyncDispose closes it', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const patient = client.withOptions({ maxRetries: 5 })
    assert.ok((await client.getSymbols()).symbols.length > 0)
    client.close()
    assert.ok(client.closed && patient.closed)
    const before = mock.requests().length
    for (const c of [client, patient]) {
      await assert.rejects(c.getProfile(), (e) => e instanceof alura.ValidationError && /getProfile\(\): this client is closed, so nothing was sent/.test(e.message))
    }
    assert.equal(mock.requests().length, before, 'nothing sent, not even a login')
    const disposed = clientFor(mock)
    await disposed[Symbol.asyncDispose]()
    assert.ok(disposed.closed, 'what `await using` calls at the end of its block')
  }))

test('closing a copy leaves the client it came from open', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const quick = client.withOptions({ timeoutMs: 5000 })
    quick.close()
    assert.ok(quick.closed && !client.closed)
    assert.ok((await client.getSymbols()).symbols.length > 0)
  }))
