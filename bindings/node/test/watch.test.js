// Watches in simulated time: the watch runs on the simulator's clock (`clock: mock`), and
// sleeping moves it, so hours of candles pass in milliseconds.

const test = require('node:test')
const assert = require('node:assert/strict')

const alura = require('alura')
const { withMock, clientFor } = require('./helpers.js')
const { watchPollsInFlight } = require('alura/testing')

const MINUTE = 60_000

function consecutive(times) {
  for (let i = 1; i < times.length; i++) {
    assert.equal(times[i] - times[i - 1], MINUTE, `no gap and no duplicate: ${times}`)
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

test('a new signal each interval, each once', () =>
  withMock(async (mock) => {
    const client = new alura.Client({ baseUrl: mock.url })
    const times = []
    for await (const event of client.watchSignals('SOL', '5m', { jitterMs: 0, clock: mock })) {
      assert.equal(event.kind, 'signal')
      times.push(event.signal.timestamp)
      if (times.length === 4) break
    }
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 5 * MINUTE, `${times}`)
    assert.ok(mock.requests('get_signals').length <= 5, "polled at the intervals' ends")
    assert.throws(() => client.watchSignals('SOL', '5m', { includeOpen: true }), alura.ValidationError)
  }))

test('the current trade opens, moves and closes; its PnL exact past a double', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.createTradingSession({ budget: 300, profitTarget: 40, assetIndex: 'BTC' })
    const watch = client.watchCurrentTrade({ everyMs: 10, clock: mock })
    const opened = (await watch.next()).value
    assert.equal(opened.kind, 'trade_opened')
    mock.advanceClock(600)
    const moved = (await watch.next()).value
    assert.equal(moved.kind, 'pnl')
    assert.notEqual(moved.pnl, opened.trade.pnl)
    const served = JSON.stringify({ ...opened.trade, pnl: 'PNL' }).replace('"PNL"', '1.23456789012345678901')
    mock.injectFault('get_current_trade', { kind: 'raw', status: 200, body: served })
    assert.deepEqual([(await watch.next()).value.pnl], ['1.23456789012345678901'])
    await client.closeTrade({ tradeId: opened.trade.id })
    const closed = (await watch.next()).value
    assert.deepEqual([closed.kind, closed.trade.id], ['trade_closed', opened.trade.id])
    await watch.return()
  }))

function logPage(first, last, page, total) {
  const data = []
  for (let i = first; i <= last; i++) data.push({ id: `log-${i}`, level: 'info', message: `entry ${i}` })
  return { kind: 'raw', status: 200, body: JSON.stringify({ data, page, limit: 50, total }) }
}

test("a trade's new log entries across pages, each once", () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    // A log that grows across pages of 50; the last answer shows a page again, shifted.
    mock.injectFaults('get_trade_logs', [
      logPage(1, 50, 1, 55),
      logPage(51, 55, 2, 55),
      logPage(51, 100, 2, 110),
      logPage(101, 110, 3, 110),
      logPage(101, 112, 3, 112),
      logPage(98, 112, 3, 112),
    ])
    const follow = client.followTradeLogs('trade-1', { everyMs: 10, clock: mock })
    const got = []
    for (let i = 0; i < 57; i++) got.push((await follow.next()).value.message)
    assert.deepEqual(got, Array.from({ length: 57 }, (_, i) => `entry ${i + 56}`))
    await assert.rejects(follow.next(), alura.NotFoundError, 'the shifted page said nothing')
    const pages = mock.requests('get_trade_logs').map((r) => new URLSearchParams(r.query).get('page'))
    assert.deepEqual(pages.slice(0, 6), ['1', '2', '2', '3', '3', '3'])
  }))

test('return() ends a watch whose next() is still waiting, and its poll with it', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    // No trade open: the watch waits, polling every 100 ms on the real clock.
    const watch = client.watchCurrentTrade({ everyMs: 100 })
    const pending = watch.next()
    await new Promise((resolve) => setTimeout(resolve, 250))
    assert.equal(watchPollsInFlight(), 1)
    assert.deepEqual(await watch.return(), { done: true, value: undefined })
    assert.deepEqual(await pending, { done: true, value: undefined })
    assert.equal(watchPollsInFlight(), 0, 'nothing keeps polling')
    const polls = mock.requests('get_current_trade').length
    await new Promise((resolve) => setTimeout(resolve, 250))
    assert.equal(mock.requests('get_current_trade').length, polls)
  }))
