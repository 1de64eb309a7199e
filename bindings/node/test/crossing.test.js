'use strict'
// Where calls run and how answers reach JavaScript: on each JS thread's own runtime, run by its
// libuv loop, with one queue per JS thread (src/completion.rs). A pending call keeps the process
// alive and an idle client does not; worker threads have their own runtime and queue.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const { execFile } = require('node:child_process')
const { Worker } = require('node:worker_threads')
const { withMock } = require('./helpers.js')

const root = path.join(__dirname, '..')

/** Runs `code` as an ES module in a fresh node, from the package folder; resolves to its exit
 * status and output (this process keeps serving meanwhile). */
function node(code, env) {
  return new Promise((resolve) => {
    const options = { cwd: root, encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } }
    execFile(process.execPath, ['--input-type=module', '-e', code], options, (error, stdout, stderr) =>
      resolve({ status: error ? error.code : 0, stdout, stderr }),
    )
  })
}

/** A server of our own that answers `[]` after `delayMs`. */
async function slowServer(delayMs) {
  const server = http.createServer((req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'), delayMs)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

test('a pending call keeps the process alive until it settles', async () => {
  const server = await slowServer(400)
  try {
    // Nothing but the call is pending: were the queue not holding the loop open, node would
    // exit with "unsettled top-level await" (status 13) before the answer.
    const url = `http://127.0.0.1:${server.address().port}`
    const out = await node(
      `import { Client } from 'alura'
       const c = new Client({ baseUrl: process.env.URL })
       const answer = await c.request({ method: 'GET', path: '/slow', authenticated: false })
       console.log(JSON.stringify(answer))`,
      { URL: url },
    )
    assert.equal(out.status, 0, out.stderr)
    assert.equal(out.stdout.trim(), '[]')
  } finally {
    server.close()
  }
})

test('an idle client does not keep the process alive', () =>
  withMock(async (mock) => {
    const started = Date.now()
    const out = await node(
      `import { Client } from 'alura'
       const c = new Client({ baseUrl: process.env.URL })
       console.log((await c.getLatestCandles()).length)`,
      { URL: mock.url },
    )
    assert.equal(out.status, 0, out.stderr)
    assert.equal(out.stdout.trim(), '6')
    assert.ok(Date.now() - started < 20000, 'the process exited by itself')
  }))

test('calls from a worker thread and the main thread each settle on their own thread', () =>
  withMock(async (mock) => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { Client } = require(${JSON.stringify(root)})
      const c = new Client({ baseUrl: workerData })
      Promise.all(Array.from({ length: 40 }, () => c.getLatestCandles()))
        .then((all) => parentPort.postMessage(all.reduce((n, xs) => n + xs.length, 0)))`
    const worker = new Worker(code, { eval: true, workerData: mock.url })
    const fromWorker = new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    const { Client } = require('alura')
    const main = await Promise.all(Array.from({ length: 40 }, () => new Client({ baseUrl: mock.url }).getLatestCandles()))
    assert.equal(await fromWorker, 240)
    assert.equal(main.reduce((n, xs) => n + xs.length, 0), 240)
    await worker.terminate()
  }))

test('a worker ended with calls in flight leaves the process working', async () => {
  const server = await slowServer(300)
  try {
    const url = `http://127.0.0.1:${server.address().port}`
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { Client } = require(${JSON.stringify(root)})
      const c = new Client({ baseUrl: workerData })
      for (let i = 0; i < 10; i++) c.request({ method: 'GET', path: '/slow', authenticated: false }).catch(() => {})
      parentPort.postMessage('sent')`
    const worker = new Worker(code, { eval: true, workerData: url })
    await new Promise((resolve) => worker.once('message', resolve))
    await worker.terminate()
    // The answers arrive after the worker's environment is gone; they must find no one, quietly.
    await new Promise((resolve) => setTimeout(resolve, 600))
    const { Client } = require('alura')
    assert.deepEqual(await new Client({ baseUrl: url }).request({ method: 'GET', path: '/after', authenticated: false }), [])
  } finally {
    server.close()
  }
})

test('connections the server closes come and go: each call answered once, a POST after an idle close sent once', async () => {
  const seen = { close: 0, keep: 0, post: 0 }
  const server = http.createServer((req, res) => {
    const name = req.url.slice(1)
    seen[name] += 1
    req.resume()
    if (name === 'close') res.setHeader('connection', 'close')
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]')
  })
  // An idle connection is closed by the server after 100 ms.
  server.keepAliveTimeout = 100
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { Client } = require('alura')
    const c = new Client({ baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 })
    for (let i = 0; i < 30; i++) {
      assert.deepEqual(await c.request({ method: 'GET', path: '/close', authenticated: false }), [])
    }
    await c.request({ method: 'GET', path: '/keep', authenticated: false })
    await new Promise((resolve) => setTimeout(resolve, 400))
    // The pooled connection is gone: the POST must not go out on it and end as an unknown outcome.
    assert.deepEqual(await c.request({ method: 'POST', path: '/post', body: {}, authenticated: false }), [])
    assert.deepEqual(seen, { close: 30, keep: 1, post: 1 })
  } finally {
    server.close()
  }
})

test('a worker thread whose calls are done ends by itself, its connections closed', () =>
  withMock(async (mock) => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { Client } = require(${JSON.stringify(root)})
      const c = new Client({ baseUrl: workerData })
      Promise.all(Array.from({ length: 8 }, () => c.getLatestCandles()))
        .then((all) => parentPort.postMessage(all.length))`
    const worker = new Worker(code, { eval: true, workerData: mock.url })
    const exited = new Promise((resolve, reject) => {
      worker.once('exit', resolve)
      worker.once('error', reject)
    })
    assert.equal(await new Promise((resolve) => worker.once('message', resolve)), 8)
    // Pooled connections do not hold the worker open, and a loop that ended with one still
    // watched would abort the whole process.
    assert.equal(await exited, 0)
    const { Client } = require('alura')
    assert.equal((await new Client({ baseUrl: mock.url }).getLatestCandles()).length, 6)
  }))
