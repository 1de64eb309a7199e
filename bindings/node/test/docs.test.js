'use strict'
// Every TypeScript and JavaScript block of the READMEs and docs/, exactly as a reader copies it: the
// TypeScript type-checked with `tsc --strict`, then every block run against a fresh simulator
// (ALURA_BASE_URL and ALURA_PRIVATE_KEY set, as a user's environment would be). A block that is
// not meant to run starts with a `// Not run:` line saying why; there are none yet.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { MockServer } = require('alura/testing')
const { key } = require('./helpers.js')

const root = path.join(__dirname, '..')
const repo = path.join(root, '..', '..')
const SOURCES = ['README.md', 'bindings/node/README.md', 'CONTRIBUTING.md', ...fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
// Inside the package, so `import ... from 'alura'` finds it as a user's install would.
const work = path.join(root, '.docs-examples')

/** The code blocks of a markdown file in `languages`, with the line each starts on. */
function blocks(file, languages) {
  const lines = fs.readFileSync(path.join(repo, file), 'utf8').split('\n')
  const found = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)/.exec(lines[i])
    if (!open) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    assert.ok(end > i, `${file}:${i + 1}: a code block that is never closed`)
    const language = { typescript: 'ts', javascript: 'js' }[open[1]] || open[1]
    if (languages.includes(language)) found.push({ file, line: i + 1, language, code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return found
}

const all = SOURCES.flatMap((f) => blocks(f, ['ts', 'js']))
const runnable = all.filter((b) => !b.code.startsWith('// Not run:'))
const nameOf = (b) => `${b.file.replace(/\W+/g, '_')}_${b.line}`
// A block that requires is CommonJS, any other an ES module, as Node decides by extension.
const extension = (b) => (b.language === 'ts' ? '.mts' : /\brequire\(/.test(b.code) ? '.cjs' : '.mjs')

test('the READMEs have TypeScript and JavaScript examples, and each that is not run says why', () => {
  assert.ok(all.filter((b) => b.language === 'ts').length >= 3, 'the TypeScript examples are missing')
  for (const b of all) if (!runnable.includes(b)) assert.match(b.code, /^\/\/ Not run: \S/, `${b.file}:${b.line}`)
})

test('every TypeScript example type-checks with tsc --strict', () => {
  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(work, { recursive: true })
  for (const b of runnable) fs.writeFileSync(path.join(work, nameOf(b) + extension(b)), b.code + '\n')
  const sources = runnable.filter((b) => b.language === 'ts').map((b) => path.join(work, nameOf(b) + '.mts'))
  const common = ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false']
  const tsc = (...args) => spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...common, ...args], { cwd: root, encoding: 'utf8' })
  const checked = tsc('--noEmit', ...sources)
  assert.equal(checked.status, 0, checked.stdout + checked.stderr)
  const emitted = tsc('--outDir', work, '--rootDir', work, ...sources)
  assert.equal(emitted.status, 0, emitted.stdout + emitted.stderr)
})

for (const b of runnable) {
  test(`${b.file}:${b.line} (${b.language}) runs against the simulator`, () => {
    const file = path.join(work, nameOf(b) + (b.language === 'ts' ? '.mjs' : extension(b)))
    assert.ok(fs.existsSync(file), 'written (and compiled) by the type-check test above')
    const mock = new MockServer()
    try {
      // A child of its own: the example's process is the user's, with its env and its exit.
      const env = { ...process.env, ALURA_BASE_URL: mock.url, ALURA_PRIVATE_KEY: key() }
      const run = spawnSync(process.execPath, [file], { cwd: work, env, encoding: 'utf8', timeout: 60_000 })
      assert.equal(run.status, 0, `${b.file}:${b.line}\n${run.stdout}${run.stderr}`)
    } finally {
      mock.close()
    }
  })
}
