// Node side of `cargo xtask bench`: the alura client beside fetch + JSON.parse and
// undici.request + body.json(), against one simulator. Prints one `BENCH {json}` line per
// measurement.
//
// `node bench/node_bench.mjs only IMPL` runs one implementation alone, for a profiler: the GET
// case at concurrency 1, ALURA_BENCH_N calls after a warm-up of 200 (IMPL: alura, undici or fetch).
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { Client } from "../bindings/node/lib/index.mjs";

// undici is a devDependency of bindings/node, so it resolves from there, not from bench/.
const { Agent, request } = createRequire(
  new globalThis.URL("../bindings/node/package.json", import.meta.url),
)("undici");

const URL = process.env.ALURA_BENCH_URL;
const N = Number(process.env.ALURA_BENCH_N || 10000);
const POSTS = Number(process.env.ALURA_BENCH_POSTS || 1000);
const ROUNDS = Number(process.env.ALURA_BENCH_ROUNDS || 3);
const LATEST = `${URL}/api/indicators/candles/latest`;

const client = new Client({ baseUrl: URL });
// undici's own pool, sized for the highest concurrency measured, as a user tuning it would.
const agent = new Agent({ connections: 64 });

async function pool(n, concurrency, one) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const impls = {
  "alura (Promise.all)": async () => {
    if ((await client.getLatestCandles()).length !== 6)
      throw new Error("six candles");
  },
  "fetch + JSON.parse": async () => {
    const r = await fetch(LATEST);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    if (JSON.parse(await r.text()).length !== 6) throw new Error("six candles");
  },
  "undici.request + body.json()": async () => {
    const { statusCode, body } = await request(LATEST, { dispatcher: agent });
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
    if ((await body.json()).length !== 6) throw new Error("six candles");
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = (kase, impl, times, ops, cpu) =>
  console.log(
    "BENCH " +
      JSON.stringify({
        case: kase,
        impl,
        median_s: median(times),
        ops,
        ops_per_s: ops / median(times),
        cpu_s: median(cpu),
      }),
  );
// This process's CPU time, user and system, every thread (the addon's too); the simulator is a
// process of its own, so none of its time counts.
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Each of `runs` once per round, the first to run changing every round; medians. */
async function alternate(kase, ops, runs) {
  const names = Object.keys(runs);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = [
      ...names.slice(r % names.length),
      ...names.slice(0, r % names.length),
    ];
    for (const name of order) {
      const [t, c] = [performance.now(), cpuSeconds()];
      await runs[name]();
      times[name].push((performance.now() - t) / 1000);
      cpu[name].push(cpuSeconds() - c);
    }
  }
  for (const name of names) report(kase, name, times[name], ops, cpu[name]);
}

/** Create and close a quick session, POSTS times in a row, after one login both sides share. */
async function posts() {
  const signed = new Client({
    baseUrl: URL,
    privateKey: "0x" + randomBytes(32).toString("hex"),
  });
  await signed.login();
  const headers = {
    authorization: `Bearer ${signed.token().value}`,
    "content-type": "application/json",
  };
  // The simulator does not debit a session's budget from the balance, so 10 USDC (the minimum)
  // stays within the 10,000 starting balance however many sessions come and go.
  const create = JSON.stringify({
    budget: 10,
    profitTarget: 50,
    assetIndex: 0,
  });
  const close = JSON.stringify({ assetIndex: 0 });
  const ours = async (n) => {
    for (let i = 0; i < n; i++) {
      const s = await signed.createTradingSession({
        budget: 10,
        profitTarget: 50,
        assetIndex: 0,
      });
      if (s.status !== "active") throw new Error(`session ${s.status}`);
      const c = await signed.closePositionByAsset({ assetIndex: 0 });
      if (c.closed !== 1) throw new Error(`closed ${c.closed}`);
    }
  };
  const post = async (path, body) => {
    const r = await request(`${URL}${path}`, {
      method: "POST",
      headers,
      body,
      dispatcher: agent,
    });
    if (r.statusCode !== 201)
      throw new Error(`HTTP ${r.statusCode}: ${await r.body.text()}`);
    return r.body.json();
  };
  const peer = async (n) => {
    for (let i = 0; i < n; i++) {
      if ((await post("/trading-sessions", create)).status !== "active")
        throw new Error("session");
      if ((await post("/user/close-position", close)).closed !== 1)
        throw new Error("closed");
    }
  };
  await ours(20);
  await peer(20);
  await alternate(
    `${POSTS} POST pairs (create + close a session), concurrency 1, Node`,
    POSTS,
    {
      "alura Client": () => ours(POSTS),
      "undici.request + body.json()": () => peer(POSTS),
    },
  );
}

/** 100,000 candles in one call, as columns; and the bytes alone, the floor every side pays. */
async function history() {
  const query = { symbol: "BTC", interval: "1m", limit: 100_000, endTime: 1_700_000_000_000 };
  const url = `${URL}/api/indicators/candles/history/BTC?interval=1m&limit=100000&endTime=1700000000000`;
  const get = async () => {
    const { statusCode, body } = await request(url, { dispatcher: agent });
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
    return body;
  };
  const FIELDS = ["open", "high", "low", "close", "volume"];
  // What a user writes without the SDK: parse, then one typed array per field.
  const byHand = async () => {
    const rows = JSON.parse(await (await get()).text());
    const columns = { openTime: new Float64Array(rows.length) };
    for (const f of FIELDS) columns[f] = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      columns.openTime[i] = row.openTime;
      for (const f of FIELDS) columns[f][i] = Number(row[f]);
    });
    if (columns.close.length !== 100_000) throw new Error("100,000 candles");
  };
  const ours = async () => {
    if ((await client.candleColumns(query)).close.length !== 100_000) throw new Error("100,000 candles");
  };
  await alternate("one call, 100,000 candles to JS rows, Node", 1, {
    "alura getCandleHistory": async () => {
      if ((await client.getCandleHistory(query)).length !== 100_000) throw new Error("100,000 candles");
    },
    "undici.request + JSON.parse": async () => {
      if (JSON.parse(await (await get()).text()).length !== 100_000) throw new Error("100,000 candles");
    },
  });
  await alternate("one call, 100,000 candles to columns, Node", 1, {
    "alura candleColumns": ours,
    "undici.request + JSON.parse + columns by hand": byHand,
  });
  // No side can be faster than the simulator writing the answer and the socket carrying it.
  await alternate("one call, 100,000 candles: the bytes alone, unparsed (the floor), Node", 1, {
    "undici.request + body.arrayBuffer()": async () => {
      if ((await (await get()).arrayBuffer()).byteLength < 100_000) throw new Error("bytes");
    },
  });
}

if (process.argv[2] === "only") {
  const name = Object.keys(impls).find(
    (k) => k.split(/[ .]/)[0] === process.argv[3],
  );
  if (!name)
    throw new Error(`only ${process.argv[3]}: expected alura, fetch or undici`);
  await pool(200, 1, impls[name]);
  await pool(N, 1, impls[name]);
} else {
  // Memory first, so the counts are exact: RSS after 10,000 calls, then after 40,000 more.
  const ours = impls["alura (Promise.all)"];
  await pool(N, 64, ours);
  const rss10k = process.memoryUsage().rss;
  for (let i = 0; i < 4; i++) await pool(N, 64, ours);
  const rss50k = process.memoryUsage().rss;
  for (const one of Object.values(impls)) await pool(N, 64, one);
  for (const concurrency of [1, 64]) {
    const runs = Object.fromEntries(
      Object.entries(impls).map(([name, one]) => [
        name,
        () => pool(N, concurrency, one),
      ]),
    );
    await alternate(
      `${N} GET candles/latest, concurrency ${concurrency}, Node`,
      N,
      runs,
    );
  }
  await posts();
  await history();
  console.log(
    "BENCH " +
      JSON.stringify({
        case: "memory",
        impl: "Node",
        rss_kb_10k: Math.round(rss10k / 1024),
        rss_kb_50k: Math.round(rss50k / 1024),
      }),
  );
}
await agent.close();
