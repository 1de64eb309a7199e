'use strict'
// Smoke test of an installed `alura` npm package, shared by smoke.cjs (require) and smoke.mjs
// (import): against the simulator the package carries, log in, open a quick trade, read it, fetch
// candles, close the trade; then the `alura` command of the package (`npx alura`), `--version` and
// one call. `cargo xtask test` runs both in a fresh project with no Rust on PATH
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

/** The command line from the package, as npm linked it into node_modules/.bin. */
function cliCheck(url) {
  const bin = path.join(process.cwd(), 'node_modules', '.bin', process.platform === 'win32' ? 'alura.cmd' : 'alura')
  const run = (args) => execFileSync(bin, args, { encoding: 'utf8', shell: process.platform === 'win32' })
  const version = run(['--version']).trim()
  const { version: ours } = require(path.join(process.cwd(), 'node_modules', 'alura', 'package.json'))
  assert.equal(version, `alura ${ours}`)
  const lines = run(['candles', 'BTC', '1h', '--limit', '3', '--base-url', url]).trim().split('\n')
  assert.equal(lines.length, 3)
  assert.ok(lines[0].includes('"close"'), lines[0])
  return `\`${version}\` read ${lines.length} candles as JSON lines`
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
    const cli = cliCheck(mock.url)
    const from = path.dirname(path.dirname(require.resolve('alura', { paths: [process.cwd()] })))
    console.log(
      `node (${how}): alura from ${from}: ${logins} login, session ${session.id}, ` +
        `trade ${trade.id} with ${trade.positions.length} position(s), ${candles.length} candles, ` +
        `close -> ${JSON.stringify(closed)}; ${cli}`,
    )
  } finally {
    mock.close()
  }
}
