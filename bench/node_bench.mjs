// Node side of `cargo xtask bench`: the alura client beside fetch + JSON.parse, against one
// simulator. Prints one `BENCH {json}` line per measurement.
import { Client } from '../bindings/node/lib/index.mjs'

const URL = process.env.ALURA_BENCH_URL
const N = Number(process.env.ALURA_BENCH_N || 10000)
const ROUNDS = Number(process.env.ALURA_BENCH_ROUNDS || 3)
const LATEST = `${URL}/api/indicators/candles/latest`

const client = new Client({ baseUrl: URL })

async function pool(concurrency, one) {
  let next = 0
  const worker = async () => {
    while (next < N) {
      next++
      await one()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const ours = (concurrency) =>
  pool(concurrency, async () => {
    if ((await client.getLatestCandles()).length !== 6) throw new Error('six candles')
  })

const baseline = (concurrency) =>
  pool(concurrency, async () => {
    const r = await fetch(LATEST)
    if (!r.ok) throw new Error(`HTTP ${r.status}`)
    if (JSON.parse(await r.text()).length !== 6) throw new Error('six candles')
  })

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const report = (kase, impl, times) =>
  console.log('BENCH ' + JSON.stringify({ case: kase, impl, median_s: median(times), ops: N, ops_per_s: N / median(times) }))

// Memory first, so the counts are exact: RSS after 10,000 calls, then after 40,000 more.
await ours(64)
const rss10k = process.memoryUsage().rss
for (let i = 0; i < 4; i++) await ours(64)
const rss50k = process.memoryUsage().rss
await baseline(64)
for (const concurrency of [1, 64]) {
  const times = { ours: [], baseline: [] }
  const runs = { ours, baseline }
  for (let r = 0; r < ROUNDS; r++) {
    // Who goes first changes every round, so neither side always gets the warmer start.
    const order = r % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']
    for (const name of order) {
      const t = performance.now()
      await runs[name](concurrency)
      times[name].push((performance.now() - t) / 1000)
    }
  }
  const kase = `${N} GET candles/latest, concurrency ${concurrency}, Node`
  report(kase, 'alura (Promise.all)', times.ours)
  report(kase, 'fetch + JSON.parse', times.baseline)
}
console.log('BENCH ' + JSON.stringify({ case: 'memory', impl: 'Node', rss_kb_10k: Math.round(rss10k / 1024), rss_kb_50k: Math.round(rss50k / 1024) }))
