#!/usr/bin/env python3
"""Draws the app's icons (a laptop with a warning mark) into public/icons/ and public/favicon.ico.

Run once after changing the design; the PNGs are committed. Plain Python, no imaging library:
shapes are drawn at 4x and averaged down for smooth edges.
"""
import pathlib, struct, zlib

BLUE, WHITE, YELLOW, BLACK = (29, 112, 184), (255, 255, 255), (255, 221, 0), (11, 12, 12)
OUT = pathlib.Path(__file__).resolve().parent.parent / "public"


def shapes(scale):
    """The design in a unit square, shrunk by `scale` around the centre (maskable icons keep
    everything inside the middle 80%)."""
    def box(x0, y0, x1, y1):
        c = lambda v: 0.5 + (v - 0.5) * scale
        return (c(x0), c(y0), c(x1), c(y1))
    return [
        (box(0.18, 0.22, 0.82, 0.66), WHITE),   # screen bezel
        (box(0.23, 0.27, 0.77, 0.61), BLACK),   # screen
        (box(0.10, 0.68, 0.90, 0.76), WHITE),   # keyboard base
        (box(0.475, 0.32, 0.525, 0.49), YELLOW),  # warning mark
        (box(0.475, 0.525, 0.525, 0.565), YELLOW),  # its dot
    ]


def render(size, scale, rounded):
    ss = 4
    n = size * ss
    rows = []
    radius = 0.18 * n if rounded else 0
    parts = shapes(scale)
    for y in range(n):
        row = []
        v = (y + 0.5) / n
        for x in range(n):
            u = (x + 0.5) / n
            colour = BLUE
            if rounded:
                cx = min(max(x, radius), n - radius)
                cy = min(max(y, radius), n - radius)
                if (x - cx) ** 2 + (y - cy) ** 2 > radius ** 2:
                    colour = None
            if colour is not None:
                for (x0, y0, x1, y1), c in parts:
                    if x0 <= u < x1 and y0 <= v < y1:
                        colour = c
            row.append(colour)
        rows.append(row)
    pixels = []
    for y in range(size):
        line = bytearray()
        for x in range(size):
            acc = [0, 0, 0, 0]
            for dy in range(ss):
                for dx in range(ss):
                    c = rows[y * ss + dy][x * ss + dx]
                    if c is not None:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            k = ss * ss
            alpha = acc[3] // k
            if alpha:
                line += bytes((acc[0] * 255 // acc[3], acc[1] * 255 // acc[3], acc[2] * 255 // acc[3], alpha))
            else:
                line += bytes(4)
        pixels.append(bytes(line))
    return png(size, pixels)


def png(size, pixels):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + row for row in pixels)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(png_bytes, size):
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png_bytes), 6 + 16)
    return header + entry + png_bytes


if __name__ == "__main__":
    icons = OUT / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    (icons / "icon-192.png").write_bytes(render(192, 1.0, True))
    (icons / "icon-512.png").write_bytes(render(512, 1.0, True))
    (icons / "maskable-512.png").write_bytes(render(512, 0.75, False))
    (icons / "apple-touch-icon.png").write_bytes(render(180, 0.85, False))
    (OUT / "favicon.ico").write_bytes(ico(render(32, 1.0, True), 32))
