'use strict'
// How answers reach JavaScript: one queue per JS thread (src/completion.rs). A pending call
// keeps the process alive and an idle client does not; worker threads have their own queue.
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
