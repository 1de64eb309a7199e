'use strict'
// Long answers reach JS as soon as they are read, and are parsed while the core checks the same
// bytes (src/early.rs). The check still decides: what fails it never reaches the caller.

const assert = require('node:assert/strict')
const http = require('node:http')
const test = require('node:test')

const alura = require('../lib/index.js')
const { withMock, clientFor } = require('./helpers.js')

/** About 2.6 MB: past the size that goes early. `odd(i)` may change a candle. */
function candles(n, odd = (c) => c) {
  const rows = []
  for (let i = 0; i < n; i++) {
    const t = 1_700_000_000_000 + i * 60_000
    rows.push(odd({ symbol: 'BTC', interval: '1m', openTime: t, closeTime: t + 59_999, open: 1.5, high: 2, low: 1, close: 1.75, volume: 10 }, i))
  }
  return JSON.stringify(rows)
}

async function serving(body, fn) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    return await fn(`http://127.0.0.1:${server.address().port}`)
  } finally {
    server.close()
  }
}

const query = { symbol: 'BTC', interval: '1m', limit: 20_000 }

const native = require('../native/index.js')
const history = { symbol: 'BTC', interval: '1m', limit: 100_000, endTime: 1_700_000_000_000 }

test('a long answer comes to JS before its check ends, and the check says it stands', () =>
  withMock(async (mock) => {
    const client = new native.NativeClient({ baseUrl: mock.url })
    const answer = await client.call('get_candle_history', history)
    assert.equal(typeof answer, 'object', 'early: {early, check}')
    assert.equal(JSON.parse(answer.early).length, 100_000)
    assert.equal(await answer.check, null, 'the checked answer is the same bytes')
    const short = await client.call('get_candle_history', { ...history, limit: 100 })
    assert.equal(typeof short, 'string', 'a short answer is the checked text itself')
  }))

test('an AbortSignal still stops a long answer during its check', () =>
  withMock(async (mock) => {
    const client = new native.NativeClient({ baseUrl: mock.url })
    const id = native.abortHandle()
    try {
      const answer = await client.call('get_candle_history', history, undefined, id)
      // Fired as the text arrives, while the core still checks 16 MB against the schema.
      native.abort(id)
      await assert.rejects(answer.check, (e) => {
        assert.match(e.message, /AbortError/)
        return true
      })
    } finally {
      native.abortRelease(id)
    }
  }))

test('a long answer is the whole of what the server sent', () =>
  withMock(async (mock) => {
    const rows = await clientFor(mock).getCandleHistory({ symbol: 'BTC', interval: '1m', limit: 100_000, endTime: 1_700_000_000_000 })
    assert.equal(rows.length, 100_000)
    assert.ok(rows.every((r, i) => i === 0 || r.openTime - rows[i - 1].openTime === 60_000))
    assert.equal(rows.at(-1).openTime, 1_700_000_000_000 - (1_700_000_000_000 % 60_000))
  }))

test('a long answer with a number no language reads alike rejects, though JS had its text first', async () => {
  // 1e400 is Infinity to JSON.parse and an error to Python's and Rust's readers.
  const body = candles(20_000).replace('"close":1.75', '"close":1e400')
  assert.ok(body.length > 1 << 20)
  await serving(body, async (url) => {
    const client = new alura.Client({ baseUrl: url, maxRetries: 0 })
    await assert.rejects(client.getCandleHistory(query), (e) => {
      assert.ok(e instanceof alura.DecodeError, `${e}`)
      assert.match(e.message, /not JSON every language reads alike/)
      return true
    })
  })
})

test('strict: a long answer that does not fit the schema rejects', async () => {
  const body = candles(20_000, (c, i) => (i === 19_999 ? { ...c, open: { price: 1.5 } } : c))
  await serving(body, async (url) => {
    const strict = new alura.Client({ baseUrl: url, maxRetries: 0, strict: true })
    await assert.rejects(strict.getCandleHistory(query), alura.DecodeError)
    // Not strict: the answer as the server sent it, the odd candle included.
    const tolerant = new alura.Client({ baseUrl: url, maxRetries: 0 })
    const rows = await tolerant.getCandleHistory(query)
    assert.equal(rows.length, 20_000)
    assert.deepEqual(rows[19_999].open, { price: 1.5 })
  })
})
