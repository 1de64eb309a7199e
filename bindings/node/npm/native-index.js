'use strict'
// The native addon of `alura`. `npm run build` copies this file to native/index.js, beside the
// loader napi-rs generates (native/napi.cjs). That loader tries the addon built in this directory
// (alura.<platform>.node), then the per-platform package npm installed as an optional dependency
// (alura-linux-x64-gnu, ...). When neither is there, this says which platform it is and what to do.

/** The platforms with a prebuilt addon package, `alura-<name>` on npm. */
const PREBUILT = [
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
]

/** This process's platform in napi-rs's naming: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function platformName() {
  const { platform, arch } = process
  if (platform === 'win32') return `win32-${arch}-msvc`
  if (platform !== 'linux') return `${platform}-${arch}`
  let glibc = false
  try {
    const report = process.report && process.report.getReport()
    glibc = Boolean(report && report.header && report.header.glibcVersionRuntime)
  } catch {
    glibc = false
  }
  return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`
}

let binding
try {
  binding = require('./napi.cjs')
} catch (cause) {
  const name = platformName()
  const pkg = `alura-${name}`
  let installed = false
  try {
    require.resolve(`${pkg}/package.json`)
    installed = true
  } catch {
    installed = false
  }
  const hint = installed
    ? `${pkg} is installed but did not load (${cause && cause.message}); reinstall alura so both have the same version.`
    : PREBUILT.includes(name)
    ? `npm installs it as an optional dependency of alura: reinstall without --omit=optional (or --no-optional), ` +
      `and if package-lock.json was written on another platform, remove it and node_modules and run npm install again ` +
      `(https://github.com/npm/cli/issues/4828).`
    : `No prebuilt addon exists for ${name}; prebuilt: ${PREBUILT.join(', ')}. ` +
      `To build it from source (Rust 1.94.1+), see ` +
      `https://github.com/alura-trading/alura-sdk/tree/main/bindings/node#building-from-source.`
  const what = installed ? `the addon package ${pkg} failed to load` : `the addon package ${pkg} is not installed`
  const error = new Error(`alura: no native addon for this platform (${name}): ${what}. ${hint}`)
  error.code = 'ERR_ALURA_NO_NATIVE_ADDON'
  error.platform = name
  error.cause = cause
  throw error
}

module.exports = binding
