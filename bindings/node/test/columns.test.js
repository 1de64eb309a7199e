'use strict'
// candleColumns: candle history as typed arrays, from every shape a server is likely to use.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const alura = require('alura')
const arrow = require('apache-arrow')
const { MockServer } = require('alura/testing')
const { withMock } = require('./helpers.js')

/** A server whose every answer is `body`. */
async function serving(body) {
  const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

const hyperliquid = (t, o, c) => ({ t, T: t + 3599999, s: 'BTC', i: '1h', o, c, h: '70001.5', l: '64999.25', v: '12.5', n: 42 })

test('candleColumns reads Hyperliquid candles in an envelope, arrays, and ours', async () => {
  const shapes = [
    [hyperliquid(3600000, '65000.5', '65100.25'), hyperliquid(7200000, '65100.25', '65200')],
    { symbol: 'BTC', interval: '1h', count: 2, candles: [hyperliquid(3600000, '65000.5', '65100.25'), hyperliquid(7200000, '65100.25', '65200')] },
    [[3600000, '65000.5', '70001.5', '64999.25', '65100.25', '12.5'], [7200000, 65100.25, 70001.5, 64999.25, 65200, 12.5]],
    { items: [
      { openTime: 3600000, open: 65000.5, high: 70001.5, low: 64999.25, close: 65100.25, volume: 12.5 },
      { openTime: 7200000, open: 65100.25, high: 70001.5, low: 64999.25, close: 65200, volume: 12.5 },
    ] },
  ]
  for (const body of shapes) {
    const server = await serving(body)
    try {
      const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}` })
      const c = await client.candleColumns({ symbol: 'BTC', interval: '1h', limit: 2 })
      assert.ok(c.close instanceof Float64Array && c.openTime instanceof Float64Array)
      assert.deepEqual([...c.openTime], [3600000, 7200000], JSON.stringify(body))
      assert.deepEqual([...c.open], [65000.5, 65100.25])
      assert.deepEqual([...c.close], [65100.25, 65200])
      assert.deepEqual([...c.volume], [12.5, 12.5])
    } finally {
      server.close()
    }
  }
})

test('candleColumns names a shape it cannot read, and checks its arguments', async () => {
  const server = await serving({ symbol: 'BTC', bars: [] })
  try {
    const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}` })
    await assert.rejects(client.candleColumns({ symbol: 'BTC' }), (e) => e instanceof alura.DecodeError && e.message.includes('keys [symbol, bars]'))
    await assert.rejects(client.candleColumns({ symbol: 'BTC', limit: 1.5 }), (e) => e instanceof alura.ValidationError && /limit must be a whole number/.test(e.message))
    await assert.rejects(client.candleColumns('BTC'), alura.ValidationError)
  } finally {
    server.close()
  }
})

test('candleColumns against the simulator', async () => {
  const mock = new MockServer()
  try {
    const c = await new alura.Client({ baseUrl: mock.url }).candleColumns({ symbol: 'ETH', interval: '1h', limit: 24 })
    assert.equal(c.close.length, 24)
    assert.ok(c.close.every((x) => x > 0) && c.openTime.every((t, i) => i === 0 || t > c.openTime[i - 1]))
  } finally {
    mock.close()
  }
})

test('candleColumns with exact: true gives the server\'s own digits as strings', async () => {
  // As text: JSON.stringify would write 65000.30 as 65000.3.
  const body = '{"candles": [[3600000, 65000.10, "0.1", 0.2, "65000.30", null], {"t": 7200000, "o": "8.329E-05"}]}'
  const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}` })
    const c = await client.candleColumns({ symbol: 'BTC', interval: '1h', exact: true })
    assert.deepEqual([...c.openTime], [3600000, 7200000])
    assert.deepEqual(c.open, ['65000.10', '0.00008329'], 'exact digits, never in exponent notation')
    assert.deepEqual(c.close, ['65000.30', null])
    assert.deepEqual(c.high, ['0.1', null])
    assert.deepEqual(c.volume, [null, null], 'a price left out is null, never a made-up number')
    const floats = await client.candleColumns({ symbol: 'BTC', interval: '1h' })
    assert.ok(floats.close instanceof Float64Array && floats.close[0] === 65000.3)
  } finally {
    server.close()
  }
})

test('candleColumns takes an asset by index as every call does', async () => {
  const mock = new MockServer()
  try {
    const client = new alura.Client({ baseUrl: mock.url })
    const c = await client.candleColumns({ symbol: alura.Asset.ETH, interval: '1h', limit: 3 })
    assert.equal(c.close.length, 3)
    assert.equal(mock.requests('get_candle_history')[0].path, '/api/indicators/candles/history/ETH')
    await assert.rejects(client.candleColumns({ symbol: 42 }), alura.ValidationError)
  } finally {
    mock.close()
  }
})

test('candles as an apache-arrow Table, from IPC bytes built in the core', () =>
  withMock(async (mock) => {
    const client = new alura.Client({ baseUrl: mock.url })
    const table = await client.candlesArrow({ symbol: 'BTC', interval: '1m', limit: 300 })
    assert.equal(table.numRows, 300)
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['open_time', 'open', 'high', 'low', 'close', 'volume'])
    const columns = await client.candleColumns({ symbol: 'BTC', interval: '1m', limit: 300 })
    assert.deepEqual(Array.from(table.getChild('close').toArray()), Array.from(columns.close))
    const times = table.getChild('open_time').toArray()
    assert.equal(Number(times[1]) - Number(times[0]), 60_000)
  }))

test('a list as an apache-arrow Table, its money exact', () =>
  withMock(async (mock) => {
    const body = '{"data": [{"rank": 1, "pnl": 1.23456789012345678901}, {"rank": 2, "pnl": "10.50"}]}'
    mock.injectFault('get_rankings', { kind: 'raw', status: 200, body })
    const table = await new alura.Client({ baseUrl: mock.url }).recordsArrow('get_rankings', { period: 'weekly' })
    const pnl = table.getChild('pnl')
    assert.equal(String(pnl.type), 'Decimal[38e+20]')
    assert.equal(table.schema.fields[1].type.scale, 20)
    // The unscaled value, exactly: 1.23456789012345678901 at scale 20.
    assert.equal(String(arrow.util.bigNumToBigInt(pnl.get(0))), '123456789012345678901')
    assert.equal(String(arrow.util.bigNumToBigInt(pnl.get(1))), '1050000000000000000000')
    assert.ok(mock.requests('get_rankings')[0].query.includes('period=weekly'))
  }))
