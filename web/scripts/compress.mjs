// Precompress the build (brotli and gzip) so Flask and Caddy send each file small without
// compressing it again on every request (app/web.py picks the variant the browser accepts).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const DIST = new URL('../dist/', import.meta.url).pathname
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|wasm|txt)$/
const MIN_BYTES = 512 // below this the headers outweigh the saving

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else yield path
  }
}

let count = 0
let raw = 0
let brBytes = 0
for (const path of files(DIST)) {
  if (!COMPRESSIBLE.test(path)) continue
  const body = readFileSync(path)
  if (body.length < MIN_BYTES) continue
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  })
  const gz = gzipSync(body, { level: 9 })
  // A variant that is not smaller is not worth a second file.
  if (br.length < body.length) writeFileSync(path + '.br', br)
  if (gz.length < body.length) writeFileSync(path + '.gz', gz)
  count += 1
  raw += body.length
  brBytes += Math.min(br.length, body.length)
}
console.log(`precompressed ${count} files: ${(raw / 1024).toFixed(1)} KiB → ${(brBytes / 1024).toFixed(1)} KiB brotli`)
