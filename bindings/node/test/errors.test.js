'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const alura = require('alura')
const { withMock, clientFor, sent, key } = require('./helpers.js')

/** Asserts `promise` rejects with `Class` and `code`; returns the error. */
async function rejects(promise, Class, code) {
  let error
  await assert.rejects(promise, (e) => {
    error = e
    return true
  })
  assert.ok(error instanceof Class, `${error && error.name}: ${error && error.message}`)
  assert.ok(error instanceof alura.AluraError)
  assert.equal(error.code, code)
  return error
}

test('ValidationError before anything is sent', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.login()
    const e = await rejects(client.createTradingSession({ budget: 5, profitTarget: 600, assetIndex: 0 }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    // The method and its fields as a Node user wrote them.
    assert.equal(e.message, 'invalid input: createTradingSession(): budget must not be less than 10; profitTarget must not be greater than 500')
    await rejects(client.createAdvanceTradingSession({ amount: 50, executionStrategy: 'Reckless', strategyDuration: '1D', assetIndex: 0 }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    await rejects(client.createTradingSession({ budget: 'lots', profitTarget: 40, assetIndex: 0 }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    await rejects(client.withdraw({ amount: () => 10 }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    await rejects(client.withdraw({ amount: new Date() }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    await rejects(client.withdraw({ amount: NaN }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    await rejects(client.getSessionLogs({}), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    assert.equal(sent(mock, 'create_trading_session') + sent(mock, 'withdraw') + sent(mock, 'get_session_logs'), 0)
  }))

test('BadRequestError carries the server message list', () =>
  withMock(async (mock) => {
    const e = await rejects(clientFor(mock).createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 9 }), alura.BadRequestError, 'ERR_ALURA_BAD_REQUEST')
    assert.ok(e instanceof alura.APIError)
    assert.equal(e.status, 400)
    assert.deepEqual(e.messages, ['assetIndex must be a valid asset index (0-5)'])
    assert.equal(e.body.error, 'Bad Request')
  }))

test('AuthenticationError for a refused token, no credentials, a refused login', () =>
  withMock(async (mock) => {
    const e = await rejects(new alura.Client({ baseUrl: mock.url, token: 'alura_made_up' }).getProfile(), alura.AuthenticationError, 'ERR_ALURA_AUTHENTICATION')
    assert.equal(e.status, 401)
    assert.ok(!e.message.includes('alura_made_up'))
    await rejects(new alura.Client({ baseUrl: mock.url }).getProfile(), alura.AuthenticationError, 'ERR_ALURA_AUTHENTICATION')
    mock.injectFaults('verify_signature', [{ kind: 'status', status: 401 }, { kind: 'status', status: 401 }])
    await rejects(clientFor(mock).login(), alura.AuthenticationError, 'ERR_ALURA_AUTHENTICATION')
  }))

test('NotFoundError, PermissionDeniedError, ConflictError', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await rejects(client.getCurrentTrade(), alura.NotFoundError, 'ERR_ALURA_NOT_FOUND')
    const session = await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 })
    await rejects(clientFor(mock).getSessionLogs({ sessionId: session.id }), alura.PermissionDeniedError, 'ERR_ALURA_PERMISSION_DENIED')
    const txHash = '0x' + 'cd'.repeat(32)
    await client.verifyUsdcDeposit({ txHash })
    await rejects(client.verifyUsdcDeposit({ txHash }), alura.ConflictError, 'ERR_ALURA_CONFLICT')
  }))

test('RateLimitError carries retryAfter', () =>
  withMock(async (mock) => {
    mock.injectFault('get_symbols', { kind: 'status', status: 429, headers: { 'Retry-After': '600' } })
    const e = await rejects(clientFor(mock).getSymbols(), alura.RateLimitError, 'ERR_ALURA_RATE_LIMIT')
    assert.equal(e.retryAfter, 600)
    assert.equal(sent(mock, 'get_symbols'), 1)
  }))

test('OutcomeUnknownError when a POST times out, sent once', () =>
  withMock(async (mock) => {
    const client = clientFor(mock, { timeoutMs: 300 })
    await client.login()
    mock.injectFault('create_trading_session', { kind: 'delay', ms: 1500 })
    const e = await rejects(client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 }), alura.OutcomeUnknownError, 'ERR_ALURA_OUTCOME_UNKNOWN')
    assert.equal(e.operation, 'create_trading_session')
    assert.equal(sent(mock, 'create_trading_session'), 1)
  }))

test('TimeoutError, InternalServerError, DecodeError', () =>
  withMock(async (mock) => {
    const client = new alura.Client({ baseUrl: mock.url, timeoutMs: 200, maxRetries: 0 })
    mock.injectFault('get_symbols', { kind: 'delay', ms: 1500 })
    await rejects(client.getSymbols(), alura.TimeoutError, 'ERR_ALURA_TIMEOUT')
    mock.injectFault('health_check', { kind: 'status', status: 503 })
    const e = await rejects(client.healthCheck(), alura.InternalServerError, 'ERR_ALURA_INTERNAL_SERVER')
    assert.equal(e.status, 503)
    mock.injectFault('health_check', { kind: 'malformed' })
    await rejects(client.healthCheck(), alura.DecodeError, 'ERR_ALURA_DECODE')
  }))

test('NetworkError for a dead port', async () => {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  const client = new alura.Client({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0, privateKey: key() })
  await rejects(client.healthCheck(), alura.NetworkError, 'ERR_ALURA_NETWORK')
})

test('every error of a call names its request id and keeps the headers', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const err = await client.getCurrentTrade().catch((e) => e)
    assert.ok(err instanceof alura.NotFoundError)
    assert.match(err.requestId, /^req_/)
    assert.ok(err.message.includes(err.requestId))
    assert.match(err.headers['content-type'], /^application\/json/)
    mock.injectFaults('create_trading_session', [{ kind: 'status', status: 502 }])
    const unknown = await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 0 }).catch((e) => e)
    assert.ok(unknown instanceof alura.OutcomeUnknownError)
    const sentKey = mock.requests('create_trading_session').at(-1).idempotencyKey
    assert.equal(unknown.idempotencyKey, sentKey)
  }))

test('inspect never prints a body or headers an error keeps', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const err = await client.getCurrentTrade().catch((e) => e)
    assert.ok(err.headers['content-type'] && err.body !== undefined, 'still readable')
    const shown = require('node:util').inspect(err)
    assert.ok(!shown.includes('content-type') && !shown.includes('statusCode'), shown)
  }))

test('a server that is not ours: odd keys and numbers arrive as sent, and nothing is polluted', async () => {
  const http = require('node:http')
  // `__proto__` must stay an own key (not a prototype), a decimal must keep every digit, a
  // number too big for a double and non-ASCII text must arrive as JSON.parse reads them.
  const body = '{"symbols":["BTC","Ünï"],"__proto__":{"polluted":true},"pnl":9.396461976483337e-7,"big":123456789012345678901}'
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-odd': 'a\tb' })
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 })
    const got = await client.getSymbols()
    assert.deepEqual(got.symbols, ['BTC', 'Ünï'])
    assert.ok(Object.hasOwn(got, '__proto__'), 'an own key')
    assert.equal(Object.getPrototypeOf(got), Object.prototype)
    assert.equal({}.polluted, undefined)
    assert.equal(got.pnl, 9.396461976483337e-7)
    assert.equal(got.big, JSON.parse(body).big)
  } finally {
    server.close()
  }
})

test('an asset goes by index or symbol, Asset names them both ways, a bad one lists the good', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    assert.equal(alura.Asset.symbol(alura.Asset.ETH), 'ETH')
    assert.equal(alura.Asset.index('sol'), 2)
    assert.deepEqual(Object.keys(alura.Asset), ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'AVAX'], 'the helpers are not keys')
    assert.throws(() => alura.Asset.symbol(9), (e) => e instanceof alura.ValidationError && /expected 0 to 5 \(BTC, ETH/.test(e.message))
    assert.equal((await client.getCandles({ symbol: alura.Asset.ETH, interval: '1h', limit: 2 })).length, 2)
    assert.equal((await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: 'doge' })).assetIndex, 4)
    const bad = await rejects(client.getCandles({ symbol: 'BTC', interval: '2h' }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    assert.match(bad.message, /^invalid input: getCandles\(\): interval: .*expected one of `1m`, `5m`/)
    const zero = await rejects(client.getCandles({ symbol: 'BTC', interval: '1h', limit: 0 }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    assert.equal(zero.message, 'invalid input: getCandles(): limit: must be at least 1, not 0')
  }))

test('a bad fault kind and a bad signer address are ValidationErrors', () =>
  withMock(async (mock) => {
    assert.throws(() => mock.injectFault('get_symbols', { kind: 'bogus' }), (e) => e instanceof alura.ValidationError && /not a list of faults/.test(e.message))
    assert.throws(() => mock.injectFault('no_such_operation', { kind: 'close' }), alura.ValidationError)
    assert.throws(
      () => new alura.Client({ baseUrl: mock.url, signer: { address: '0xnope', signMessage: async (m) => m } }),
      (e) => e instanceof alura.ValidationError && /is not an address/.test(e.message),
    )
    mock.setDrift(true)
    const raw = await clientFor(mock, { strict: false }).withRawResponse.getProfile()
    assert.match(raw.body.toString(), /"balance":"10000\.00"/, 'drift mode, switched on a running simulator')
  }))

test('a network error names the login step and the URL, as a Node user calls it', async () => {
  const client = new alura.Client({ baseUrl: 'http://127.0.0.1:9', privateKey: key(), maxRetries: 0 })
  const e = await rejects(client.getProfile(), alura.NetworkError, 'ERR_ALURA_NETWORK')
  assert.match(e.message, /\(while logging in \(requestChallenge\): POST http:\/\/127\.0\.0\.1:9\/auth\/evm\/challenge; request req_/)
  assert.equal(e.idempotencyKey ?? null, null, 'a GET has no idempotency key, nor does a login')
  const g = await rejects(new alura.Client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 0 }).getSymbols(), alura.NetworkError, 'ERR_ALURA_NETWORK')
  assert.match(g.message, /\(getSymbols: GET http:\/\/127\.0\.0\.1:9\/api\/indicators\/candles\/aggregated\/symbols; request req_/)
})

test('isTimeout() says whether the call ran out of time', () =>
  withMock(async (mock) => {
    const client = clientFor(mock, { timeoutMs: 300, maxRetries: 0 })
    await client.login()
    mock.injectFault('get_symbols', { kind: 'delay', ms: 1500 })
    const get = await rejects(client.getSymbols(), alura.TimeoutError, 'ERR_ALURA_TIMEOUT')
    assert.equal(get.isTimeout(), true)
    mock.injectFault('create_trading_session', { kind: 'delay', ms: 1500 })
    const trade = { budget: 100, profitTarget: 40, assetIndex: 0 }
    const post = await rejects(client.createTradingSession(trade), alura.OutcomeUnknownError, 'ERR_ALURA_OUTCOME_UNKNOWN')
    assert.equal(post.isTimeout(), true)
    assert.equal(post.timedOut, true)
    mock.injectFault('create_trading_session', { kind: 'status', status: 503 })
    const failed = await rejects(client.createTradingSession(trade), alura.OutcomeUnknownError, 'ERR_ALURA_OUTCOME_UNKNOWN')
    assert.equal(failed.isTimeout(), false)
    const invalid = await rejects(client.createTradingSession({ ...trade, budget: 'lots' }), alura.ValidationError, 'ERR_ALURA_VALIDATION')
    assert.equal(invalid.isTimeout(), false)
  }))

test('bytes parsers read differently are a DecodeError, as in every language', async () => {
  const http = require('node:http')
  const bodies = ['{"symbols":["BTC"]} trailing', '{"symbols":["BTC"],"x":1e400}', `{"symbols":["BTC"],"x":${'['.repeat(300)}${']'.repeat(300)}}`]
  let body = ''
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 })
    for (const odd of bodies) {
      body = odd
      await rejects(client.getSymbols(), alura.DecodeError, 'ERR_ALURA_DECODE')
    }
    body = ''
    assert.equal(await client.getSymbols(), null, 'an empty body is no value, with a drift warning')
  } finally {
    server.close()
  }
})
