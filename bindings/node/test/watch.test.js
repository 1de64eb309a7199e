// Candle watches in simulated time: the watch runs on the simulator's clock (`clock: mock`), and
// sleeping moves it, so hours of candles pass in milliseconds.

const test = require('node:test')
const assert = require('node:assert/strict')

const alura = require('alura')
const { MockServer } = require('alura/testing')

const MINUTE = 60_000

function consecutive(times) {
  for (let i = 1; i < times.length; i++) {
    assert.equal(times[i] - times[i - 1], MINUTE, `no gap and no duplicate: ${times}`)
  }
}

async function withMock(fn) {
  const mock = new MockServer()
  try {
    await fn(mock)
  } finally {
    mock.close()
  }
}

test('ten candles across an outage, with no gap and no duplicate', () =>
  withMock(async (mock) => {
    const client = new alura.Client({ baseUrl: mock.url, maxRetries: 0 })
    const watch = client.watchCandles('BTC', '1m', { jitterMs: 0, clock: mock })
    const closed = []
    let errors = 0
    while (closed.length < 10) {
      if (closed.length === 3 && errors === 0) {
        mock.injectFaults('get_candles', Array(4).fill({ kind: 'status', status: 503 }))
        mock.advanceClock(5 * 60)
      }
      try {
        const { value } = await watch.next()
        assert.equal(value.kind, 'closed')
        closed.push(value.candle.openTime)
      } catch (e) {
        assert.ok(e instanceof alura.InternalServerError, String(e))
        errors += 1
      }
    }
    assert.equal(errors, 4, 'each refused poll throws, and the watch goes on')
    consecutive(closed)
  }))

test('a long sleep is filled from the history; leaving the loop or aborting ends the watch', () =>
  withMock(async (mock) => {
    const client = new alura.Client({ baseUrl: mock.url })
    const times = []
    for await (const event of client.watchCandles(alura.Asset.ETH, '1m', { jitterMs: 0, clock: mock })) {
      assert.equal(event.kind, 'closed')
      times.push(event.candle.openTime)
      if (times.length === 1) mock.advanceClock(2 * 24 * 3600)
      if (times.length === 2 * 24 * 60) break
    }
    consecutive(times)
    assert.equal(mock.requests('get_candle_history').length, 1)
    // Waiting for an hour's candle on the real clock, then aborted: the iterator ends at once.
    const controller = new AbortController()
    const waiting = client.watchCandles('BTC', '1h', { signal: controller.signal })
    const first = waiting.next()
    const second = first.then(() => waiting.next())
    setTimeout(() => controller.abort(), 200)
    assert.deepEqual(await second, { done: true, value: undefined })
  }))

test('a gap the history cannot fill is an event', () =>
  withMock(async (mock) => {
    const watch = new alura.Client({ baseUrl: mock.url }).watchCandles('BTC', '1m', { jitterMs: 0, clock: mock })
    const first = (await watch.next()).value.candle.openTime
    mock.advanceClock(2 * 24 * 3600)
    mock.injectFault('get_candle_history', { kind: 'raw', status: 200, body: '[]' })
    const gap = (await watch.next()).value
    assert.deepEqual([gap.kind, gap.from_ms], ['gap', first + MINUTE])
    assert.equal((await watch.next()).value.candle.openTime, gap.to_ms + MINUTE)
  }))
