'use strict'
// The shared scenarios of tests/scenarios/*.json, through the public Client methods.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const alura = require('alura')
const { MockServer } = require('alura/testing')
const { key } = require('./helpers.js')

const dir = path.join(__dirname, '..', '..', '..', 'tests', 'scenarios')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
const camel = (id) => id.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const at = (value, p) => p.split('.').filter(Boolean).reduce((v, k) => v[k], value)
const only = (obj, keys, where) => {
  for (const k of Object.keys(obj)) assert.ok(keys.includes(k), `${where}: this harness does not know ${k}`)
}

function matches(got, want) {
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, i) => matches(got[i], w))
  if (want !== null && typeof want === 'object') {
    return got !== null && typeof got === 'object' && Object.entries(want).every(([k, v]) => k in got && matches(got[k], v))
  }
  return got === want
}

function substitute(value, saved) {
  if (typeof value === 'string' && value.startsWith('$')) {
    assert.ok(value.slice(1) in saved, `nothing saved as ${value}`)
    return saved[value.slice(1)]
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, saved))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, saved)]))
  }
  return value
}

test('every scenario file is found', () => assert.ok(files.length >= 10))

for (const file of files) {
  test(file, async () => {
    const scenario = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
    only(scenario, ['description', 'client', 'steps', 'requests'], file)
    const options = scenario.client || {}
    only(options, ['key', 'timeout_ms'], file)
    const mock = new MockServer()
    try {
      const client = new alura.Client({
        baseUrl: mock.url,
        privateKey: options.key === false ? undefined : key(),
        timeoutMs: options.timeout_ms,
      })
      const saved = {}
      for (const [i, step] of scenario.steps.entries()) {
        const here = `${file} step ${i + 1}`
        only(step, ['faults', 'call', 'args', 'expect', 'save'], here)
        for (const [operation, faults] of Object.entries(step.faults || {})) mock.injectFaults(operation, faults)
        const expect = step.expect || {}
        only(expect, ['match', 'length', 'error', 'status', 'messages', 'message_contains', 'retry_after'], here)
        const method = client[camel(step.call)]
        assert.equal(typeof method, 'function', `${here}: no method for ${step.call}`)
        const call = method.call(client, substitute(step.args || {}, saved))
        if (expect.error) {
          let error
          await assert.rejects(call, (e) => ((error = e), true))
          assert.equal(error.name, expect.error, `${here}: ${error.message}`)
          assert.ok(error instanceof alura.AluraError, here)
          if ('status' in expect) assert.equal(error.status, expect.status, here)
          if ('messages' in expect) assert.deepEqual(error.messages, expect.messages, here)
          if ('message_contains' in expect) assert.ok(error.message.includes(expect.message_contains), `${here}: ${error.message}`)
          if ('retry_after' in expect) assert.equal(error.retryAfter, expect.retry_after, here)
          continue
        }
        const result = await call
        if (expect.match) assert.ok(matches(result, substitute(expect.match, saved)), `${here}: ${JSON.stringify(result)}`)
        for (const [p, n] of Object.entries(expect.length || {})) assert.equal(at(result, p).length, n, `${here}: length of ${p}`)
        for (const [name, p] of Object.entries(step.save || {})) saved[name] = at(result, p)
      }
      const counters = mock.counters()
      for (const [operation, n] of Object.entries(scenario.requests || {})) {
        assert.equal(counters[operation] || 0, n, `${file}: requests to ${operation}`)
      }
    } finally {
      mock.close()
    }
  })
}
