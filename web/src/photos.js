// Shrink a camera photo on the phone before it is stored and sent: in a worker with an
// OffscreenCanvas where the phone has one (the page stays responsive), else on the page.

import { fitWithin } from './photoSize.js'

export const MAX_SIDE = 1600
export const QUALITY = 0.8

/** Decode a picture upright (EXIF orientation applied), or throw if this browser cannot. */
async function decode(file) {
  if (globalThis.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' })
    } catch {
      // Some browsers refuse the options bag or the format: try an <img> instead.
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.decoding = 'async'
    img.src = url
    await img.decode() // <img> honours EXIF orientation (image-orientation: from-image)
    return img
  } finally {
    URL.revokeObjectURL(url)
  }
}

function toBlob(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', quality),
  )
}

let worker = null
let workerBroken = false
let nextId = 0
const waiting = new Map()

function photoWorker() {
  if (workerBroken || typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null
  if (!worker) {
    try {
      worker = new Worker(new URL('./photoWorker.js', import.meta.url), { type: 'module' })
    } catch {
      workerBroken = true
      return null
    }
    worker.onmessage = ({ data }) => {
      const done = waiting.get(data.id)
      waiting.delete(data.id)
      done?.(data)
    }
    worker.onerror = () => {
      // A worker that cannot start (an old engine, a blocked script): the page does the work.
      workerBroken = true
      worker = null
      for (const done of waiting.values()) done({ error: 'worker failed' })
      waiting.clear()
    }
  }
  return worker
}

/** Shrink in the worker; null when the worker is missing or could not decode the file. */
function inWorker(file, maxSide, quality) {
  const w = photoWorker()
  if (!w) return Promise.resolve(null)
  const id = ++nextId
  return new Promise((resolve) => {
    waiting.set(id, (answer) => resolve(answer.error ? null : answer))
    w.postMessage({ id, file, maxSide, quality })
  })
}

/** Shrink on the page: the way for browsers without OffscreenCanvas, and for odd files. */
async function onPage(file, maxSide, quality) {
  let source
  try {
    source = await decode(file)
  } catch {
    return null
  }
  const { width, height, scale } = fitWithin(source.width || source.naturalWidth, source.height || source.naturalHeight, maxSide)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d')
  ctx.imageSmoothingQuality = 'high'
  ctx.drawImage(source, 0, 0, width, height)
  source.close?.()
  const blob = await toBlob(canvas, quality)
  canvas.width = canvas.height = 0 // free the pixels now: phones run out of canvas memory
  return { blob, width, height, scale }
}

/**
 * A JPEG whose long side is at most MAX_SIDE px. A file this browser cannot decode (a HEIC on
 * a desktop, a broken file) is kept as it is: the server decides, and says why if it refuses.
 */
export async function compressPhoto(file, { maxSide = MAX_SIDE, quality = QUALITY } = {}) {
  const shrunk = (await inWorker(file, maxSide, quality)) || (await onPage(file, maxSide, quality))
  if (!shrunk) return { blob: file, width: null, height: null, compressed: false }
  const { blob, width, height, scale } = shrunk
  // A small JPEG already smaller than our copy: keep the original.
  const keep = scale === 1 && file.type === 'image/jpeg' && file.size <= blob.size
  return { blob: keep ? file : blob, width, height, compressed: !keep }
}
