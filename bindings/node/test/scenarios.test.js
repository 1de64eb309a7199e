'use strict'
// The shared scenarios of tests/scenarios/*.json, through the public Client methods.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const alura = require('alura')
const { MockServer } = require('alura/testing')
const { key } = require('./helpers.js')
const streams = require('./scenario_streams.js')

const dir = path.join(__dirname, '..', '..', '..', 'tests', 'scenarios')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
const camel = (id) => id.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const at = (value, p) => p.split('.').filter(Boolean).reduce((v, k) => (v == null ? v : v[k]), value)
const only = (obj, keys, where) => {
  for (const k of Object.keys(obj)) assert.ok(keys.includes(k), `${where}: this harness does not know ${k}`)
}

// `want` is a subset of `got`. Money comes as a string of the server's digits, which must
// stand for the number wanted. Against a drifting server a field may be missing or null, and
// any number may come as a string.
function matches(got, want, drift = false) {
  if (Array.isArray(want)) {
    return Array.isArray(got) && got.length === want.length && want.every((w, i) => matches(got[i], w, drift))
  }
  if (want !== null && typeof want === 'object') {
    return (
      got !== null &&
      typeof got === 'object' &&
      Object.entries(want).every(([k, v]) => (drift && got[k] == null) || (k in got && matches(got[k], v, drift)))
    )
  }
  if (typeof got === 'string' && typeof want === 'number') return (drift || /^-?\d/.test(got)) && Number(got) === want
  return got === want
}

// A decimal string as an exact [digits, scale] pair, and the sum or difference of two: the
// harness needs nothing from the SDK but exact strings, as decimal.js would.
function decimal(text) {
  assert.match(text, /^-?\d+(\.\d+)?$/, `not a decimal: ${text}`)
  const [whole, fraction = ''] = text.split('.')
  return [BigInt(whole + fraction), fraction.length]
}
function rescale([digits, scale], to) {
  return digits * 10n ** BigInt(to - scale)
}
function combine(a, b, op) {
  const scale = Math.max(a[1], b[1])
  const [x, y] = [rescale(a, scale), rescale(b, scale)]
  return [op === '-' ? x - y : x + y, scale]
}
const same = (a, b) => {
  const scale = Math.max(a[1], b[1])
  return rescale(a, scale) === rescale(b, scale)
}

// An `exact` key: a path or `$saved`, or two joined by ` + ` or ` - `. Null when a term is not there.
function exact(expr, result, saved) {
  const op = expr.includes(' - ') ? '-' : expr.includes(' + ') ? '+' : null
  const terms = (op ? expr.split(` ${op} `) : [expr]).map((t) => (t.startsWith('$') ? saved[t.slice(1)] : at(result, t)))
  if (terms.some((t) => t == null)) return null
  for (const t of terms) assert.equal(typeof t, 'string', `${expr}: money came as ${typeof t}, not an exact string`)
  return op ? combine(decimal(terms[0]), decimal(terms[1]), op) : decimal(terms[0])
}

// Each top-level field of a compact JSON body as its JSON text (`100.10`, not `100.1`).
function sentField(body, field) {
  const found = new RegExp(`"${field}":(-?[0-9][0-9.eE+-]*|"[^"]*"|true|false|null)`).exec(body)
  return found && found[1]
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

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

test('against drift mode: a trade and candles, each mismatch one warning', async () => {
  const mock = new MockServer({ drift: true })
  const warnings = []
  alura.setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} }, 'warn')
  try {
    const client = new alura.Client({ baseUrl: mock.url, privateKey: key() })
    const session = await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: alura.Asset.BTC })
    const trade = await client.getCurrentTrade()
    assert.equal(trade.sessionId, session.id)
    await client.closeTrade({ tradeId: trade.id })
    let candles
    for (let i = 0; i < 3; i++) candles = await client.getCandles({ symbol: 'BTC', interval: '1h', limit: 5 })
    assert.equal(candles.length, 5)
    await tick()
    const drifted = warnings.filter((w) => w.startsWith('[alura.drift]'))
    assert.ok(drifted.length > 0, 'drift was not logged')
    assert.equal(new Set(drifted).size, drifted.length, 'one warning per operation and mismatch')
    assert.ok(drifted.some((w) => w.includes('get_candles:')), drifted.join('\n'))
  } finally {
    alura.setLogger(console, 'warn')
    mock.close()
  }
})

// Runs one scenario against `url`; `mock` is the simulator behind it, when it is ours.
async function play(file, url, mock, drift) {
  const scenario = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  only(scenario, ['description', 'mock', 'client', 'steps', 'requests'], file)
  const options = scenario.client || {}
  only(options, ['key', 'timeout_ms', 'retries'], file)
  const client = new alura.Client({
    baseUrl: url,
    privateKey: options.key === false ? undefined : key(),
    timeoutMs: options.timeout_ms,
    maxRetries: options.retries,
    strict: !drift,
  })
  const saved = {}
  for (const [i, step] of scenario.steps.entries()) {
    const here = `${file}${drift ? ' (drift)' : ''} step ${i + 1}`
    only(step, ['faults', 'call', 'args', 'expect', 'save', 'watch', 'outage', 'cancel', 'burst'], here)
    for (const [operation, faults] of Object.entries(step.faults || {})) {
      assert.ok(mock, `${here}: faults need the simulator`)
      mock.injectFaults(operation, faults)
    }
    if (step.watch || step.burst) {
      await streams.play(step, client, mock, here)
      continue
    }
    const expect = step.expect || {}
    only(
      expect,
      ['match', 'length', 'error', 'status', 'messages', 'message_contains', 'raw_body_contains', 'retry_after', 'absent', 'exact', 'sent', 'settle'],
      here,
    )
    const method = client[camel(step.call)]
    assert.equal(typeof method, 'function', `${here}: no method for ${step.call}`)
    const call = method.call(client, substitute(step.args || {}, saved))
    if (expect.absent) {
      // Nothing there, said as a 404 or as an empty or null answer.
      const outcome = await call.then((value) => value, (e) => e)
      assert.ok(outcome === null || outcome instanceof alura.NotFoundError, `${here}: ${outcome}`)
      continue
    }
    if (expect.error) {
      let error
      await assert.rejects(call, (e) => ((error = e), true))
      // The same class names as Python's: both are generated from alura::ERROR_KINDS.
      assert.equal(error.name, expect.error, `${here}: ${error.message}`)
      assert.ok(error instanceof alura.AluraError, here)
      if ('status' in expect) assert.equal(error.status, expect.status, here)
      if ('messages' in expect) assert.deepEqual(error.messages, expect.messages, here)
      if ('message_contains' in expect) assert.ok(error.message.includes(expect.message_contains), `${here}: ${error.message}`)
      if ('raw_body_contains' in expect) assert.ok((error.rawBody ?? '').includes(expect.raw_body_contains), here)
      if ('retry_after' in expect) assert.equal(error.retryAfter, expect.retry_after, here)
      if (expect.settle) {
        const settled = await error.settle()
        // Node's statuses are camelCase: not_landed is 'notLanded'.
        const want = expect.settle.status.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
        assert.equal(settled.status, want, `${here}: ${JSON.stringify(settled)}`)
        if (expect.settle.match) assert.ok(matches(settled.result, expect.settle.match, drift), `${here}: ${JSON.stringify(settled.result)}`)
      }
      continue
    }
    const result = await call
    if (expect.sent && mock) {
      const body = mock.requests(step.call).at(-1).body
      for (const [field, text] of Object.entries(expect.sent)) {
        assert.equal(sentField(body, field), text, `${here}: ${field} as sent in ${body}`)
      }
    }
    for (const [expr, want] of Object.entries(expect.exact || {})) {
      const got = exact(expr, result, saved)
      assert.ok(got !== null || drift, `${here}: no ${expr} in ${JSON.stringify(result)}`)
      if (got !== null) assert.ok(same(got, decimal(want)), `${here}: ${expr} is ${got[0]}e-${got[1]}, not ${want}`)
    }
    if (expect.match) {
      assert.ok(matches(result, substitute(expect.match, saved), drift), `${here}: ${JSON.stringify(result)}`)
    }
    for (const [p, n] of Object.entries(expect.length || {})) {
      if (drift && at(result, p) == null) continue
      assert.equal(at(result, p).length, n, `${here}: length of ${p}`)
    }
    for (const [name, p] of Object.entries(step.save || {})) saved[name] = at(result, p)
  }
  if (mock) {
    const counters = mock.counters()
    for (const [operation, n] of Object.entries(scenario.requests || {})) {
      assert.equal(counters[operation] || 0, n, `${file}: requests to ${operation}`)
    }
  }
}

for (const drift of [false, true]) for (const file of files) {
  // Strict against the simulator; then against its drift mode (shapes off the spec), where the
  // scenario must still pass, with the differences logged as warnings.
  test(`${file}${drift ? ' (drift)' : ''}`, async () => {
    const setup = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).mock || {}
    only(setup, ['rate_limit'], file)
    const mock = new MockServer({ drift, rateLimit: setup.rate_limit })
    const warnings = []
    const note = (message) => warnings.push(message)
    alura.setLogger({ debug() {}, info() {}, warn: note, error: note }, 'warn')
    try {
      await play(file, mock.url, mock, drift)
      await tick()
      const drifted = warnings.filter((w) => w.startsWith('[alura.drift]'))
      if (!drift) assert.deepEqual(drifted, [], 'the simulator answered off the spec')
      assert.equal(new Set(drifted).size, drifted.length, 'each mismatch is logged once')
    } finally {
      alura.setLogger(console, 'warn')
      mock.close()
    }
  })
}

// Every scenario that injects no fault, against a backend we did not write (not strict):
// `cargo xtask test` sets ALURA_SCENARIO_BASE_URL to the NestJS app in tests/nestjs.
const backend = process.env.ALURA_SCENARIO_BASE_URL
// Any backend can play it: no simulator set up for it, no fault, no watch on its clock.
const faultFree = files.filter((f) => {
  const scenario = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))
  return !scenario.mock && !scenario.steps.some((s) => s.faults || s.watch)
})
for (const file of faultFree) {
  test(`${file} (against a backend)`, { skip: backend ? false : 'needs ALURA_SCENARIO_BASE_URL' }, async () => {
    alura.setLogger({ debug() {}, info() {}, warn() {}, error() {} }, 'warn')
    try {
      await play(file, backend, null, true)
    } finally {
      alura.setLogger(console, 'warn')
    }
  })
}
