'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { Asset } = require('alura')
const { withMock, clientFor } = require('./helpers.js')

test('auth', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.login()
    const key = await client.getTradingKey()
    assert.match(key.agentAddress, /^0x[0-9a-fA-F]{40}$/)
    assert.notEqual(key.agentAddress, client.address)
  }))

test('trading sessions', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const quick = await client.createTradingSession({ budget: 150, profitTarget: 25, assetIndex: Asset.SOL, maxPositions: 3 })
    assert.equal(quick.assetIndex, 2)
    for (const [assetIndex, executionStrategy] of [[Asset.ETH, 'Conservative'], [Asset.XRP, 'Aggressive'], [Asset.DOGE, 'Degen']]) {
      const s = await client.createAdvanceTradingSession({ amount: 50, executionStrategy, strategyDuration: '7D', assetIndex })
      assert.equal(s.executionStrategy, executionStrategy)
    }
    assert.equal((await client.listActiveSessions()).length, 4)
    assert.ok((await client.getSessionLogs({ sessionId: quick.id })).length > 0)
    const trade = await client.getCurrentTrade()
    const position = trade.positions[0].id
    assert.equal((await client.getClosePositionSignature({ positionId: position })).signature.length, 132)
    await client.closePosition({ positionId: position })
    const closed = await client.closeTrade({ tradeId: trade.id })
    assert.equal(closed.closed, 2)
    const page = await client.getTradeLogs({ tradeId: trade.id, page: 1, limit: 2 })
    assert.equal(page.total, 4)
    assert.equal((await client.tradeLogs(trade.id)).length, 4)
    assert.ok((await client.triggerCron()).success)
  }))

test('user', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const before = await client.getProfile()
    await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: Asset.AVAX })
    assert.equal((await client.closePositionByAsset({ assetIndex: 5 })).closed, 1)
    assert.equal((await client.closeAllPositions()).closed, 0)
    assert.equal((await client.syncFills()).synced, 1)
    await client.withdraw({ amount: 25 })
    await client.sendUsdc({ destination: '0x8ba1f109551bD432803012645Ac136ddd64DBA72', amount: 10 })
    const after = await client.getProfile()
    assert.ok(Math.abs(before.balance - after.balance - 35) < 1)
  }))

test('indicators', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    assert.equal((await client.getIndicatorsHealth()).status, 'ok')
    const latest = await client.getLatestCandles({ symbols: 'BTC,ETH', interval: '1m' })
    assert.deepEqual(latest.map((c) => c.symbol), ['BTC', 'ETH'])
    const history = await client.getCandleHistory({ symbol: 'SOL', interval: '1m', limit: 500 })
    assert.equal(history.length, 500)
    for (const symbol of Object.keys(Asset)) {
      assert.equal((await client.getCandles({ symbol, interval: '4h', limit: 10 })).length, 10)
      assert.ok(['BUY', 'SELL', 'HOLD'].includes((await client.getSignals({ symbol, interval: '1h' })).signal))
    }
    assert.equal((await client.getSymbols()).symbols.length, 6)
    assert.equal((await client.getAllSignals({ interval: '1d' })).length, 6)
  }))

test('leaderboard', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const me = await client.getProfile()
    await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: Asset.BTC })
    assert.equal((await client.getLeaderboardStats()).totalUsers, 1)
    assert.equal((await client.getRankings({ page: 1, limit: 10, period: 'all' })).data[0].userId, me.id)
    assert.equal((await client.getUserRanking({ userId: me.id })).rank, 1)
    assert.equal((await client.getLeaderboardAnalytics()).topPerformers.length, 1)
    assert.equal((await client.getLeaderboardHealth()).status, 'ok')
  }))

test('referrals', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const me = await client.getProfile()
    assert.equal((await client.createReferralCode({ userId: me.id, code: 'MOON2026' })).code, 'MOON2026')
    const check = await client.checkReferralCode({ code: 'moon2026' })
    assert.ok(check.valid)
    assert.equal(check.referrerId, me.id)
    assert.equal((await client.getReferralInfo({ userId: me.id })).referralCode, 'MOON2026')
    assert.equal((await client.getReferralStats({ userId: me.id })).totalReferrals, 0)
  }))

test('usdc verification', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const txHash = '0x' + crypto.randomBytes(32).toString('hex')
    const deposit = await client.verifyUsdcDeposit({ txHash })
    assert.equal(deposit.status, 'verified')
    assert.equal((await client.listMyTransactions())[0].txHash, txHash)
    // Money is a string of the server's digits; `total` (a name that is also a count) stays a number.
    assert.equal(typeof deposit.amount, 'string')
    assert.equal((await client.getTotalDeposited()).total, Number(deposit.amount))
  }))

test('health', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    assert.equal((await client.healthCheck()).status, 'ok')
    assert.equal((await client.kafkaHealthCheck()).status, 'ok')
  }))

test('a typed response reads exactly as the server JSON does', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const ours = await client.getCandleHistory({ symbol: 'ETH', interval: '1h', limit: 500, endTime: 1_700_000_000_000 })
    const url = `${mock.url}/api/indicators/candles/history/ETH?interval=1h&limit=500&endTime=1700000000000`
    const raw = await (await fetch(url)).json()
    assert.equal(ours.length, 500)
    assert.deepEqual(ours, raw)
    assert.equal(typeof ours[0].openTime, 'number', 'timestamps are numbers, not BigInt')
  }))

test('pages are fetched only when needed', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    await client.createTradingSession({ budget: 300, profitTarget: 40, assetIndex: 1, maxPositions: 3 })
    const trade = await client.getCurrentTrade()
    await client.closeTrade({ tradeId: trade.id })
    const rows = []
    for await (const row of client.iterTradeLogs({ tradeId: trade.id, limit: 1 })) {
      rows.push(row)
      if (rows.length === 1) assert.equal(mock.requests('get_trade_logs').length, 1, 'one page for the first row')
    }
    assert.deepEqual(rows, await client.tradeLogs(trade.id))
    let ranked = 0
    for await (const entry of client.iterRankings({ limit: 1 })) ranked += entry ? 1 : 0
    assert.equal(ranked, 1)
  }))

test('request reaches an endpoint the spec does not have', () =>
  withMock(async (mock) => {
    const client = clientFor(mock)
    const profile = await client.request({ method: 'GET', path: '/user/profile' })
    assert.equal(profile.address, client.address)
    const checked = await client.request({ method: 'POST', path: '/referrals/check', body: { code: 'NOPE' }, authenticated: false })
    assert.equal(checked.valid, false)
    const err = await client.request({ method: 'GET', path: '/user/not-yet-in-the-spec' }).catch((e) => e)
    assert.equal(err.name, 'NotFoundError')
    assert.match(err.requestId, /^req_/)
    await assert.rejects(client.request({ method: 'GET', path: '/user/../auth' }), /no \. or \.\. segment/)
  }))
