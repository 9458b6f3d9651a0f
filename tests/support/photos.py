"""Photos for the image tests, all made here with Pillow (nothing downloaded)."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest
from PIL import ExifTags, Image

from sereno.media.images import ImageInfo, ImageRejected, inspect_image

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
RED, BLUE = (220, 20, 20), (20, 20, 220)
# The GPS IFD pointer (tag 0x8825, type LONG), big-endian as Pillow writes it and little-endian as some do.
GPS_IFD_POINTERS = (b"\x88\x25\x00\x04", b"\x25\x88\x04\x00")




def photo(width: int = 400, height: int = 200, *, seed: int = 7) -> Image.Image:
    """Noise compresses like a real photo does: badly, so cut and padded files look like real ones."""
    return Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))


def two_halves(width: int = 400, height: int = 200) -> Image.Image:
    """Left half red, right half blue: shows which way a picture was turned."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def encode(image: Image.Image, format: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def exif_with_gps(*, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SerenoTestCam"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (12.0, 2.0, 46.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (77.0, 1.0, 42.0)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    return exif


def small_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.html", "<p>not a photo</p>")
    return out.getvalue()


def zip_end_record() -> bytes:
    """The 22-byte record that closes every ZIP, which is all an empty archive consists of."""
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + png_chunk(b"IEND", b"")
    )


def with_frame_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The same JPEG with its frame header (SOF) claiming another size."""
    sof = jpeg.index(b"\xff\xc0")
    return jpeg[: sof + 5] + struct.pack(">HH", height, width) + jpeg[sof + 9 :]


def accepted(data: bytes, *, declared_type: str | None = None) -> ImageInfo:
    return inspect_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, declared_type=declared_type)


def rejection(data: bytes, *, declared_type: str | None = None) -> str:
    with pytest.raises(ImageRejected) as rejected:
        accepted(data, declared_type=declared_type)
    return rejected.value.reason


def opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def is_close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(got - want) <= tolerance for got, want in zip(pixel, expected, strict=True))
