'use strict'
// In a project that installed alura without its addon package: require('alura') must fail with
// ERR_ALURA_NO_NATIVE_ADDON and name this platform. `node no-addon.cjs <platform>`.
const expected = process.argv[2]
try {
  require('alura')
} catch (e) {
  if (e.code === 'ERR_ALURA_NO_NATIVE_ADDON' && e.message.includes(expected)) {
    console.log(`node without an addon: ${e.message.slice(0, 110)}...`)
    process.exit(0)
  }
  console.error('the wrong error:', e)
  process.exit(1)
}
console.error('alura loaded with no addon package installed')
process.exit(1)
