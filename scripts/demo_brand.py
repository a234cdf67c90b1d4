"""Draw the integration's brand images: a SIM card with signal bars, on a transparent background.

    python scripts/demo_brand.py            writes custom_components/gsm_gateway/brand/{icon,logo}{,@2x}.png

Home Assistant 2026.3+ serves a custom integration's own `brand/` folder (the HACS `brands` check accepts it).
Sizes follow Home Assistant's brand rules: icons square 256 and 512 px; logos 128 and 256 px high.
Everything is drawn four times larger and scaled down, which gives smooth edges.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).resolve().parents[1] / "custom_components" / "gsm_gateway" / "brand"
SUPERSAMPLE = 4

CARD = (3, 169, 244, 255)  # Home Assistant blue
CHIP = (246, 196, 69, 255)
CHIP_LINES = (176, 128, 24, 255)
BARS = (255, 255, 255, 255)
TEXT = (33, 33, 33, 255)
FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)


def draw_icon(size: int) -> Image.Image:
    """The SIM card: chamfered corner, gold chip, four signal bars."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))

    def px(fraction: float) -> int:
        return round(fraction * big)

    # Card body (portrait, like a SIM), with the top-right corner cut off.
    left, top, right, bottom = px(0.19), px(0.05), px(0.81), px(0.95)
    card = Image.new("L", (big, big), 0)
    shape = ImageDraw.Draw(card)
    shape.rounded_rectangle((left, top, right, bottom), radius=px(0.07), fill=255)
    cut = px(0.19)
    shape.polygon(((right - cut, top - 1), (right + 1, top - 1), (right + 1, top + cut)), fill=0)
    image.paste(Image.new("RGBA", (big, big), CARD), mask=card)

    draw = ImageDraw.Draw(image)
    # Signal bars, bottom-aligned, growing to the right.
    bar_width, gap, base = px(0.075), px(0.04), px(0.47)
    heights = (0.09, 0.15, 0.21, 0.27)
    total = len(heights) * bar_width + (len(heights) - 1) * gap
    x = (big - total) // 2
    for height in heights:
        draw.rounded_rectangle((x, base - px(height), x + bar_width, base), radius=px(0.015), fill=BARS)
        x += bar_width + gap

    # Chip with its contact pads.
    chip = (px(0.33), px(0.56), px(0.67), px(0.86))
    draw.rounded_rectangle(chip, radius=px(0.04), fill=CHIP)
    line = max(1, px(0.014))
    middle_x = (chip[0] + chip[2]) // 2
    draw.line((middle_x, chip[1] + px(0.05), middle_x, chip[3]), fill=CHIP_LINES, width=line)
    for fraction in (1 / 3, 2 / 3):
        y = chip[1] + round((chip[3] - chip[1]) * fraction)
        draw.line((chip[0], y, chip[2], y), fill=CHIP_LINES, width=line)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def draw_logo(height: int) -> Image.Image:
    """The icon followed by the name."""
    big = height * SUPERSAMPLE
    font = _font(round(big * 0.42))
    text = "GSM Gateway"
    left, top, right, bottom = (round(value) for value in font.getbbox(text))
    width = big + round(big * 0.12) + (right - left) + round(big * 0.05)
    image = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    image.paste(draw_icon(big), (0, 0))
    text_y = (big - (bottom - top)) // 2 - top
    ImageDraw.Draw(image).text((big + round(big * 0.12) - left, text_y), text, font=font, fill=TEXT)
    return image.resize((round(width / SUPERSAMPLE), height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every brand image."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": draw_icon(256),
        "icon@2x.png": draw_icon(512),
        "logo.png": draw_logo(128),
        "logo@2x.png": draw_logo(256),
    }
    for name, image in images.items():
        image.save(BRAND_DIR / name, optimize=True)
        print(f"{BRAND_DIR.relative_to(BRAND_DIR.parents[2]) / name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
