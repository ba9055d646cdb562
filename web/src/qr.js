// Read QR codes from a <video>: the phone's own BarcodeDetector, else qr-scanner's worker.

async function nativeDetector() {
  if (!('BarcodeDetector' in globalThis)) return null
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats()
    if (!formats.includes('qr_code')) return null
    return new globalThis.BarcodeDetector({ formats: ['qr_code'] })
  } catch {
    return null
  }
}

/** A decoder with detect(video) → text or null, and close(). */
export async function createDecoder() {
  const native = await nativeDetector()
  if (native) {
    return {
      kind: 'native',
      async detect(video) {
        const codes = await native.detect(video)
        return codes.length ? codes[0].rawValue : null
      },
      close() {},
    }
  }
  // Loaded only when needed; its worker is a separate file the service worker precaches.
  const { default: QrScanner } = await import('qr-scanner')
  const engine = await QrScanner.createQrEngine()
  const canvas = document.createElement('canvas')
  return {
    kind: 'qr-scanner',
    async detect(video) {
      const side = Math.round(Math.min(video.videoWidth, video.videoHeight) * 0.8)
      const region = {
        x: Math.round((video.videoWidth - side) / 2),
        y: Math.round((video.videoHeight - side) / 2),
        width: side,
        height: side,
        downScaledWidth: Math.min(side, 600),
        downScaledHeight: Math.min(side, 600),
      }
      try {
        const res = await QrScanner.scanImage(video, {
          qrEngine: engine,
          canvas,
          scanRegion: region,
          returnDetailedScanResult: true,
          alsoTryWithoutScanRegion: true,
        })
        return res.data || null
      } catch {
        return null // "No QR code found" is the usual answer for a frame
      }
    },
    close() {
      if (engine instanceof Worker) engine.terminate()
    },
  }
}
