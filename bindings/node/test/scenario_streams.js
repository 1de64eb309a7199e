'use strict'
// The shared scenarios' watch and burst steps (tests/scenarios/README.md), for scenarios.test.js.

const assert = require('node:assert/strict')
const alura = require('alura')
const { watchPollsInFlight } = require('alura/testing')

const only = (obj, keys, where) => {
  for (const k of Object.keys(obj)) assert.ok(keys.includes(k), `${where}: this harness does not know ${k}`)
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function within(here, what, done) {
  const deadline = Date.now() + 5000
  while (!done()) {
    assert.ok(Date.now() < deadline, `${here}: ${what}`)
    await sleep(5)
  }
}

// Candles on the simulator's clock, through an outage.
async function watch(step, client, mock, here) {
  const { watch: spec, outage, expect } = step
  only(spec, ['kind', 'symbol', 'interval'], here)
  only(outage, ['after', 'advance_s', 'faults'], here)
  only(expect, ['closed', 'spacing_ms', 'errors'], here)
  assert.equal(spec.kind, 'candles', here)
  const events = client.watchCandles(spec.symbol, spec.interval, { jitterMs: 0, clock: mock })
  const closed = []
  let errors = 0
  let out = false
  while (closed.length < expect.closed) {
    if (!out && closed.length === outage.after) {
      out = true
      for (const [operation, faults] of Object.entries(outage.faults)) mock.injectFaults(operation, faults)
      mock.advanceClock(outage.advance_s)
    }
    try {
      const { value } = await events.next()
      assert.equal(value.kind, 'closed', `${here}: only closed candles here`)
      closed.push(Number(value.candle.openTime))
    } catch (e) {
      assert.ok(e instanceof alura.AluraError, `${here}: ${e}`)
      errors += 1
    }
  }
  await events.return()
  assert.equal(errors, expect.errors, `${here}: each refused poll throws`)
  for (let i = 1; i < closed.length; i++) assert.equal(closed[i] - closed[i - 1], expect.spacing_ms, `${here}: ${closed}`)
}

// A watch aborted while its poll waits on the server.
async function cancel(step, client, mock, here) {
  assert.equal(step.cancel, 'mid_poll', here)
  const count = () => process.getActiveResourcesInfo().length
  const before = count()
  const controller = new AbortController()
  const events = client.watchCandles(step.watch.symbol, step.watch.interval, { jitterMs: 0, clock: mock, signal: controller.signal })
  const poll = events.next()
  await within(here, 'the poll reaches the server', () => mock.requests('get_candles').length > 0)
  assert.equal(watchPollsInFlight(), 1, here)
  controller.abort()
  assert.deepEqual(await poll, { done: true, value: undefined }, here)
  const left = () => Math.max(count() - before, 0) + mock.openConnections() + watchPollsInFlight()
  await within(here, `nothing is left behind (${process.getActiveResourcesInfo()})`, () => left() === step.expect.left_behind)
}

// `count` calls at once, against the simulator's rate limit.
async function burst(step, client, mock, here) {
  const { burst: spec, expect } = step
  only(spec, ['call', 'count'], here)
  only(expect, ['errors', 'refused_at_most', 'seconds_at_most', 'limit'], here)
  const method = client[spec.call.replace(/_([a-z])/g, (_, c) => c.toUpperCase())]
  const started = performance.now()
  const results = await Promise.allSettled(Array.from({ length: spec.count }, () => method.call(client)))
  const took = (performance.now() - started) / 1000
  const errors = results.filter((r) => r.status === 'rejected')
  assert.equal(errors.length, expect.errors, `${here}: ${errors[0]?.reason}`)
  const refused = mock.requests(spec.call).filter((r) => r.status === 429).length
  assert.ok(refused <= expect.refused_at_most, `${here}: ${refused} refused`)
  assert.ok(took <= expect.seconds_at_most, `${here}: took ${took.toFixed(1)} s`)
  assert.equal(client.rateLimit()?.limit, expect.limit, `${here}: the limit was in force`)
}

async function play(step, client, mock, here) {
  assert.ok(mock, `${here}: needs the simulator`)
  if (step.burst) return burst(step, client, mock, here)
  if (step.cancel) return cancel(step, client, mock, here)
  return watch(step, client, mock, here)
}

module.exports = { play }
