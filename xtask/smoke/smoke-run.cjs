'use strict'
// Smoke test of an installed `alura` npm package, shared by smoke.cjs (require) and smoke.mjs
// (import): against the simulator the package carries, log in, open a quick trade, read it, fetch
// candles, close the trade. `cargo xtask test` runs both in a fresh project with no Rust on PATH
// (--no-rust); the release workflow runs them on each platform's runner.

const assert = require('node:assert/strict')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

function onPath(tool) {
  try {
    execFileSync(process.platform === 'win32' ? 'where' : 'which', [tool], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

module.exports = async function smoke({ Client, Asset }, { MockServer }, how) {
  if (process.argv.includes('--no-rust')) {
    assert.ok(!onPath('cargo') && !onPath('rustc'), 'Rust is on PATH')
  }
  const mock = new MockServer()
  try {
    const client = new Client({ baseUrl: mock.url, privateKey: '0x' + '11'.repeat(32), strict: true })
    const session = await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: Asset.BTC })
    const trade = await client.getCurrentTrade()
    assert.ok(trade.id && trade.positions && trade.positions.length > 0, JSON.stringify(trade))
    const candles = await client.getCandles({ symbol: 'BTC', interval: '1h', limit: 24 })
    assert.equal(candles.length, 24)
    assert.ok(candles[0].close > 0)
    const closed = await client.closeTrade({ tradeId: trade.id })
    const logins = mock.requests('verify_signature').length
    const from = path.dirname(path.dirname(require.resolve('alura', { paths: [process.cwd()] })))
    console.log(
      `node (${how}): alura from ${from}: ${logins} login, session ${session.id}, ` +
        `trade ${trade.id} with ${trade.positions.length} position(s), ${candles.length} candles, ` +
        `close -> ${JSON.stringify(closed)}`,
    )
  } finally {
    mock.close()
  }
}
