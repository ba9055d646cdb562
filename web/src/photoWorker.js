// Shrink one photo off the main thread: decode upright, draw smaller, encode as JPEG.
// Asked with { id, file, maxSide, quality }; answers { id, blob, width, height } or { id, error }.

import { fitWithin } from './photoSize.js'

self.onmessage = async ({ data }) => {
  const { id, file, maxSide, quality } = data
  let bitmap = null
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
    const { width, height, scale } = fitWithin(bitmap.width, bitmap.height, maxSide)
    const canvas = new OffscreenCanvas(width, height)
    const ctx = canvas.getContext('2d')
    ctx.imageSmoothingQuality = 'high'
    ctx.drawImage(bitmap, 0, 0, width, height)
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality })
    self.postMessage({ id, blob, width, height, scale })
  } catch (err) {
    // Not decodable here (a HEIC, a broken file): the page tries its own way.
    self.postMessage({ id, error: String(err?.message || err) })
  } finally {
    bitmap?.close()
  }
}
