"""Draw the app icons into public/icons/ (run with the project's Python: it needs Pillow)."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
BLUE = (22, 119, 255)
WHITE = (255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    """A white scan frame with a check mark on blue; maskable icons keep to the safe zone."""
    scale = 4  # draw large, shrink once: smooth edges without anti-aliasing support
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        d.rectangle((0, 0, s, s), fill=BLUE)
        inset = s * 0.2
    else:
        d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s * 0.22, fill=BLUE)
        inset = s * 0.17
    a, b = inset, s - inset
    arm, w = (b - a) * 0.28, max(2, round(s * 0.055))
    for x, y, dx, dy in ((a, a, 1, 1), (b, a, -1, 1), (a, b, 1, -1), (b, b, -1, -1)):
        d.line((x, y, x + dx * arm, y), fill=WHITE, width=w)
        d.line((x, y, x, y + dy * arm), fill=WHITE, width=w)
        d.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=WHITE)
    c = (b - a) / 100
    check = [(a + 26 * c, a + 52 * c), (a + 44 * c, a + 70 * c), (a + 76 * c, a + 34 * c)]
    d.line(check, fill=WHITE, width=round(w * 1.3), joint="curve")
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    """Write every size the manifest and the page name."""
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, False).save(OUT / "icon-192.png", optimize=True)
    draw(512, False).save(OUT / "icon-512.png", optimize=True)
    draw(512, True).save(OUT / "maskable-512.png", optimize=True)
    apple = Image.new("RGBA", (180, 180), BLUE)  # iOS rounds the corners itself
    apple.alpha_composite(draw(180, True))
    apple.convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
