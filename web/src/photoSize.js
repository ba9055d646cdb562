// The size a photo is shrunk to: the long side at most maxSide px, never enlarged.

/** Return the width, height and scale of a w × h picture fitted within maxSide. */
export function fitWithin(w, h, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(w, h))
  return {
    width: Math.max(1, Math.round(w * scale)),
    height: Math.max(1, Math.round(h * scale)),
    scale,
  }
}
