'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const alura = require('alura')
const { withMock, clientFor, sent } = require('./helpers.js')

test('retry and re-login show in the request log', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    mock.injectFaults('get_candles', [{ kind: 'status', status: 503 }, { kind: 'close' }])
    assert.equal((await client.getCandles({ symbol: 'BTC', interval: '1h', limit: 5 })).length, 5)
    assert.deepEqual(mock.requests('get_candles').map((r) => r.status), [503, null, 200])
    await client.login()
    mock.injectFault('get_profile', { kind: 'expired_token' })
    await client.getProfile()
    assert.equal(sent(mock, 'get_profile'), 2)
    assert.equal(sent(mock, 'verify_signature'), 2)
    mock.injectFault('create_trading_session', { kind: 'status', status: 429, headers: { 'Retry-After': '0' } })
    await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 })
    const keys = new Set(mock.requests('create_trading_session').map((r) => r.idempotencyKey))
    assert.equal(keys.size, 1)
    assert.match([...keys][0], /^[0-9a-f-]{36}$/, 'a key on every POST')
  }))

test('100 concurrent calls share one login', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const profiles = await Promise.all(Array.from({ length: 100 }, () => client.getProfile()))
    assert.equal(new Set(profiles.map((p) => p.address)).size, 1)
    assert.equal(sent(mock, 'request_challenge'), 1)
    assert.equal(sent(mock, 'verify_signature'), 1)
  }))

test('the event loop keeps running during 100 concurrent calls', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    mock.injectFaults('get_symbols', Array.from({ length: 100 }, () => ({ kind: 'delay', ms: 300 })))
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    try {
      await Promise.all(Array.from({ length: 100 }, () => client.getSymbols()))
    } finally {
      clearInterval(timer)
    }
    assert.ok(ticks >= 5, `the timer ticked ${ticks} times while the calls waited`)
    assert.equal(sent(mock, 'get_symbols'), 100)
  }))

test('options steer one call and keep the rest', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const unavailable = { kind: 'status', status: 503, headers: { 'Retry-After': '0' } }
    mock.injectFaults('get_symbols', [unavailable, unavailable])
    await assert.rejects(client.getSymbols({}, { maxRetries: 0, headers: { 'X-Tenant': 'desk-7' } }), alura.InternalServerError)
    assert.equal((await client.getSymbols()).symbols[0], 'BTC', 'the client itself still retries')
    await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 }, { idempotencyKey: 'order-42' })
    assert.equal(mock.requests('create_trading_session').at(-1).idempotencyKey, 'order-42')
    await assert.rejects(client.getSymbols({}, { headers: { Authorization: 'Bearer mine' } }), /header cannot be set/)
    await assert.rejects(client.getSymbols({}, { retries: 1 }), /unknown option retries/)
    await assert.rejects(client.getSymbols({}, { maxRetries: -1 }), alura.ValidationError)
    const patient = client.withOptions({ maxRetries: 5 })
    mock.injectFaults('get_symbols', [unavailable, unavailable, unavailable, unavailable])
    assert.equal((await patient.getSymbols()).symbols[0], 'BTC')
  }))

test('an AbortSignal cancels one call: a GET is an AbortError, a POST an unknown outcome', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.login()
    mock.injectFaults('get_symbols', [{ kind: 'delay', ms: 3000 }])
    const started = Date.now()
    const get = client.getSymbols({}, { signal: AbortSignal.timeout(100) })
    await assert.rejects(get, (e) => e instanceof alura.AbortError && e.code === 'ERR_ALURA_ABORTED')
    assert.ok(Date.now() - started < 2000, 'the call ended when aborted, not when the server answered')
    mock.injectFaults('create_trading_session', [{ kind: 'delay', ms: 3000 }])
    const controller = new AbortController()
    const post = client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    await assert.rejects(post, alura.OutcomeUnknownError)
    await assert.rejects(client.getSymbols({}, { signal: AbortSignal.abort() }), alura.AbortError)
    assert.equal(sent(mock, 'get_symbols'), 1, 'an already aborted call is never sent')
  }))

test('withRawResponse gives the status, headers and bytes', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const raw = await client.withRawResponse.getSymbols()
    assert.ok(raw instanceof alura.RawResponse)
    assert.equal(raw.status, 200)
    assert.match(raw.headers['content-type'], /^application\/json/)
    assert.deepEqual(raw.json(), await client.getSymbols())
    assert.ok(Buffer.isBuffer(raw.body))
  }))
