// The smoke test through ESM: `node smoke.mjs [--no-rust]` inside a project that installed alura.
import { Asset, Client } from 'alura'
import { MockServer } from 'alura/testing'
import smoke from './smoke-run.cjs'

await smoke({ Client, Asset }, { MockServer }, 'ESM')
