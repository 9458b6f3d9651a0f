"""Draw the Sereno app icons (shield with a map pin) as PNG; icon.svg beside it is the same drawing.

Run from the repository root: .venv/bin/python pwa/icons/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (15, 76, 129, 255)  # --brand in styles.css
WHITE = (255, 255, 255, 255)
HERE = Path(__file__).parent


def bezier(p0, p1, p2, p3, steps=48):
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


def shield():
    """The outline on a 512 grid (same path as icon.svg)."""
    pts = [(256, 48), (416, 104), (416, 232)]
    pts += bezier((416, 232), (416, 344), (344, 424), (256, 464))
    pts += bezier((256, 464), (168, 424), (96, 344), (96, 232))
    pts += [(96, 104)]
    return pts


def pin():
    """A map pin: round head centred at (256, 224), point at (256, 380)."""
    pts = [(256, 380)]
    pts += bezier((256, 380), (220, 330), (186, 290), (186, 224))
    pts += bezier((186, 224), (186, 185), (217, 154), (256, 154))
    pts += bezier((256, 154), (295, 154), (326, 185), (326, 224))
    pts += bezier((326, 224), (326, 290), (292, 330), (256, 380))
    return pts


def draw(size, maskable):
    scale = 4  # draw large and shrink: Pillow polygons are not anti-aliased
    big = size * scale
    img = Image.new("RGBA", (big, big), BRAND if maskable else (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # Maskable icons keep the emblem inside the central 80 % safe zone.
    k = (0.72 if maskable else 1.0) * big / 512
    off = (big - 512 * k) / 2
    tr = lambda pts: [(off + x * k, off + y * k) for x, y in pts]  # noqa: E731
    shield_fill, pin_fill = (WHITE, BRAND) if maskable else (BRAND, WHITE)
    d.polygon(tr(shield()), fill=shield_fill)
    d.polygon(tr(pin()), fill=pin_fill)
    cx, cy, r = off + 256 * k, off + 224 * k, 30 * k
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=shield_fill)
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192, False).save(HERE / "icon-192.png", optimize=True)
    draw(512, False).save(HERE / "icon-512.png", optimize=True)
    draw(512, True).save(HERE / "icon-512-maskable.png", optimize=True)
    draw(192, True).save(HERE / "icon-192-maskable.png", optimize=True)
