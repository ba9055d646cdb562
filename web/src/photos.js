// Shrink a camera photo on the phone before it is stored and sent.

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

/**
 * A JPEG whose long side is at most MAX_SIDE px. A file this browser cannot decode (a HEIC on
 * a desktop, a broken file) is kept as it is: the server decides, and says why if it refuses.
 */
export async function compressPhoto(file, { maxSide = MAX_SIDE, quality = QUALITY } = {}) {
  let source
  try {
    source = await decode(file)
  } catch {
    return { blob: file, width: null, height: null, compressed: false }
  }
  const w = source.width || source.naturalWidth
  const h = source.height || source.naturalHeight
  const scale = Math.min(1, maxSide / Math.max(w, h))
  const cw = Math.max(1, Math.round(w * scale))
  const ch = Math.max(1, Math.round(h * scale))
  const canvas = document.createElement('canvas')
  canvas.width = cw
  canvas.height = ch
  const ctx = canvas.getContext('2d')
  ctx.imageSmoothingQuality = 'high'
  ctx.drawImage(source, 0, 0, cw, ch)
  source.close?.()
  const blob = await toBlob(canvas, quality)
  canvas.width = canvas.height = 0 // free the pixels now: phones run out of canvas memory
  // A small JPEG already smaller than our copy: keep the original.
  const keep = scale === 1 && file.type === 'image/jpeg' && file.size <= blob.size
  return { blob: keep ? file : blob, width: cw, height: ch, compressed: !keep }
}
