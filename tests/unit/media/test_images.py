"""Photo acceptance and the renditions that are served. Every fixture is made here with Pillow."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import time
import zipfile
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile

from sereno.media.images import ImageInfo, ImageRejected, inspect_image, make_renditions

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
RED, BLUE = (220, 20, 20), (20, 20, 220)
# The GPS IFD pointer (tag 0x8825, type LONG), big-endian as Pillow writes it and little-endian as some do.
GPS_IFD_POINTERS = (b"\x88\x25\x00\x04", b"\x25\x88\x04\x00")


# --- Builders -----------------------------------------------------------------------------------------------


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


# --- What is accepted -------------------------------------------------------------------------------------


def test_camera_jpeg_is_accepted_with_its_type_size_and_digest() -> None:
    data = encode(photo(400, 200))

    info = accepted(data, declared_type="image/jpeg")

    assert info == ImageInfo(
        content_type="image/jpeg",
        width=400,
        height=200,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@pytest.mark.parametrize(
    ("format", "options", "content_type"),
    [
        ("JPEG", {}, "image/jpeg"),
        ("JPEG", {"progressive": True}, "image/jpeg"),
        ("PNG", {}, "image/png"),
        ("WEBP", {"quality": 80}, "image/webp"),
        ("WEBP", {"lossless": True}, "image/webp"),
        ("WEBP", {"exif": exif_with_gps()}, "image/webp"),  # extended (VP8X) WebP
        # pillow-heif can encode here, so HEIC is tested with a real HEIC file, as an iPhone would send.
        ("HEIF", {"quality": 80}, "image/heic"),
    ],
    ids=["jpeg", "progressive-jpeg", "png", "webp-lossy", "webp-lossless", "webp-extended", "heic"],
)
def test_each_accepted_format_is_recognised_from_its_bytes(
    format: str, options: dict[str, object], content_type: str
) -> None:
    info = accepted(encode(photo(300, 200), format, **options))

    assert (info.content_type, info.width, info.height) == (content_type, 300, 200)


@pytest.mark.parametrize(
    ("format", "declared_type"),
    [
        ("JPEG", "image/jpg"),
        ("JPEG", "IMAGE/JPEG"),
        ("PNG", "image/png; charset=binary"),
        ("HEIF", "image/heif"),
    ],
)
def test_declared_type_aliases_match_the_sniffed_type(format: str, declared_type: str) -> None:
    accepted(encode(photo(), format), declared_type=declared_type)


def test_empty_declared_type_counts_as_undeclared() -> None:
    # Several Android browsers give HEIC files an empty MIME type.
    assert accepted(encode(photo(), "HEIF"), declared_type="").content_type == "image/heic"


def test_png_renamed_to_jpeg_is_rejected_as_type_mismatch() -> None:
    assert rejection(encode(photo(), "PNG"), declared_type="image/jpeg") == "type_mismatch"


def test_phone_multi_picture_jpeg_is_accepted() -> None:
    main, preview = photo(400, 300), photo(160, 120, seed=8)
    data = encode(main, "MPO", save_all=True, append_images=[preview])

    assert accepted(data).width == 400


def test_jpeg_followed_by_a_second_complete_jpeg_is_accepted() -> None:
    assert accepted(encode(photo()) + encode(photo(80, 60, seed=9))).content_type == "image/jpeg"


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_trailing_zero_padding_is_accepted(format: str) -> None:
    accepted(encode(photo(), format) + b"\x00" * 512)


@pytest.mark.parametrize("lookalike", [b"PK\x03\x04" + b"\xff" * 40, b"<svgz <htmlish <?phpx"])
def test_bytes_that_merely_resemble_foreign_content_are_accepted(lookalike: bytes) -> None:
    accepted(encode(photo(), comment=lookalike))


# --- What is rejected, and why ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        encode(photo(), "GIF"),
        encode(photo(), "BMP"),
        encode(photo(), "TIFF"),
        encode(photo(), "AVIF"),  # the HEIF container, but not HEIC
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"",
    ],
    ids=["gif", "bmp", "tiff", "avif", "svg", "pdf", "html", "empty"],
)
def test_anything_but_an_accepted_photo_type_is_wrong_type_whatever_it_declares(data: bytes) -> None:
    assert rejection(data, declared_type="image/jpeg") == "wrong_type"


def test_file_over_the_byte_limit_is_rejected_as_too_large_before_it_is_read() -> None:
    not_even_an_image = b"\x00" * (MAX_BYTES + 1)

    assert rejection(not_even_an_image) == "too_large"


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_upload_cut_in_half_is_rejected_as_truncated(format: str) -> None:
    data = encode(photo(), format)

    assert rejection(data[: len(data) // 2]) == "truncated"


def test_jpeg_missing_only_its_end_marker_is_rejected_as_truncated() -> None:
    assert rejection(encode(photo())[:-2]) == "truncated"


def test_png_missing_only_its_end_chunk_is_rejected_as_truncated() -> None:
    assert rejection(encode(photo(), "PNG")[:-12]) == "truncated"


def test_truncated_jpeg_is_rejected_even_when_pillow_is_told_to_load_truncated_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(photo())

    assert rejection(data[: len(data) * 2 // 3]) == "truncated"


def test_png_declaring_60000_by_60000_pixels_is_rejected_at_once() -> None:
    bomb = png_bomb(60_000, 60_000)
    started = time.perf_counter()

    reason = rejection(bomb)

    assert reason == "too_many_pixels"
    assert len(bomb) < 200
    assert time.perf_counter() - started < 0.5  # decoding 3.6 gigapixels would take minutes, or all memory


def test_jpeg_whose_header_declares_a_huge_frame_is_rejected_as_too_many_pixels() -> None:
    assert rejection(with_frame_size(encode(photo()), 60_000, 60_000)) == "too_many_pixels"


def test_photo_over_the_configured_pixel_limit_is_rejected_below_pillows_own_limit() -> None:
    data = encode(Image.new("RGB", (1200, 1000), RED))

    with pytest.raises(ImageRejected) as rejected:
        inspect_image(data, max_bytes=MAX_BYTES, max_pixels=1_000_000)

    assert rejected.value.reason == "too_many_pixels"


def test_inspection_leaves_pillows_process_wide_settings_alone() -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)

    rejection(png_bomb(60_000, 60_000))
    accepted(encode(photo()))

    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == before


def test_jpeg_with_zip_appended_is_rejected_as_polyglot() -> None:
    assert rejection(encode(photo()) + small_zip()) == "polyglot"


def test_jpeg_with_script_in_a_comment_segment_is_rejected_as_polyglot() -> None:
    assert rejection(encode(photo(), comment=b"<script>alert(document.cookie)</script>")) == "polyglot"


@pytest.mark.parametrize(
    "format",
    ["JPEG", "PNG", "WEBP", "HEIF"],
    ids=["jpeg-after-eoi", "png-after-iend", "webp-after-riff", "heic-after-last-box"],
)
def test_photo_with_data_after_its_end_is_rejected_as_polyglot(format: str) -> None:
    assert rejection(encode(photo(), format) + b"anything at all after the end") == "polyglot"


def test_jpeg_followed_by_a_cut_jpeg_is_rejected_as_polyglot() -> None:
    second = encode(photo(80, 60, seed=9))

    assert rejection(encode(photo()) + second[: len(second) // 2]) == "polyglot"


def test_jpeg_followed_by_dozens_of_tiny_jpegs_is_rejected_as_polyglot() -> None:
    tiny = encode(photo(8, 8))

    assert rejection(encode(photo()) + tiny * 40) == "polyglot"


def test_jpeg_stuffed_with_thousands_of_empty_segments_is_rejected_as_truncated() -> None:
    data = encode(photo())

    assert rejection(data[:2] + b"\xff\xfe\x00\x02" * 5_000 + data[2:]) == "truncated"


@pytest.mark.parametrize(
    "hidden",
    [
        b"<HTML><body>hi</body></HTML>",
        b"<?php system($_GET['c']); ?>",
        b"<svg/onload=alert(1)>",
        b"<!doctype html>",
        b"%PDF-1.4 hidden document",
        small_zip(),  # local file headers, central directory and its end record
        zip_end_record(),
    ],
    ids=["html", "php", "svg", "doctype", "pdf", "zip", "zip-end-record"],
)
def test_jpeg_carrying_foreign_content_inside_a_segment_is_rejected_as_polyglot(hidden: bytes) -> None:
    assert rejection(encode(photo(), comment=hidden)) == "polyglot"


# --- Renditions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_gps_in_the_original_is_absent_from_both_renditions(format: str) -> None:
    original = encode(photo(), format, exif=exif_with_gps().tobytes())
    assert b"WGS-84" in original  # the fixture does carry a GPS position

    renditions = make_renditions(original)

    for jpeg in (renditions.display, renditions.thumb):
        assert not opened(jpeg).getexif()
        assert b"Exif" not in jpeg
        assert not any(pointer in jpeg for pointer in GPS_IFD_POINTERS)
        assert b"WGS-84" not in jpeg and b"SerenoTestCam" not in jpeg


@pytest.mark.parametrize("with_icc_profile", [True, False], ids=["icc-profile", "no-icc-profile"])
def test_renditions_carry_no_metadata_segments_at_all(with_icc_profile: bool) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(
        photo(),
        exif=exif_with_gps(),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">taken at home</x:xmpmeta>',
        icc_profile=srgb if with_icc_profile else None,
        comment=b"Galaxy A14",
    )

    renditions = make_renditions(original)

    for jpeg in (renditions.display, renditions.thumb):
        image = opened(jpeg)
        assert [segment for segment, _payload in image.applist] == ["APP0"]  # the JFIF header only
        assert not {"exif", "xmp", "icc_profile", "comment"} & image.info.keys()


def test_renditions_are_progressive_jpegs() -> None:
    renditions = make_renditions(encode(photo(), "PNG"))

    for jpeg in (renditions.display, renditions.thumb):
        image = opened(jpeg)
        assert image.format == "JPEG" and image.mode == "RGB" and image.info.get("progressive")


def test_exif_orientation_6_turns_a_400x200_photo_upright() -> None:
    original = encode(two_halves(400, 200), exif=exif_with_gps(orientation=6))

    info = accepted(original)
    renditions = make_renditions(original)

    assert (info.width, info.height) == (200, 400)
    assert (renditions.display_width, renditions.display_height) == (200, 400)
    display = opened(renditions.display)
    assert display.size == (200, 400)
    assert is_close(display.getpixel((100, 40)), RED)  # the left of the sensor is the top of the picture
    assert is_close(display.getpixel((100, 360)), BLUE)


def test_large_photo_is_scaled_to_1600_for_display_and_320_for_the_thumbnail() -> None:
    renditions = make_renditions(encode(photo(3200, 1800)))

    assert (renditions.display_width, renditions.display_height) == (1600, 900)
    assert (renditions.thumb_width, renditions.thumb_height) == (320, 180)
    assert opened(renditions.display).size == (1600, 900)
    assert opened(renditions.thumb).size == (320, 180)


@pytest.mark.parametrize(("width", "height"), [(300, 200), (1000, 600)])
def test_renditions_never_upscale(width: int, height: int) -> None:
    renditions = make_renditions(encode(photo(width, height)))

    assert (renditions.display_width, renditions.display_height) == (width, height)
    assert max(renditions.thumb_width, renditions.thumb_height) == min(320, max(width, height))


def test_transparent_png_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    image.paste((220, 20, 20, 255), (50, 50, 150, 150))

    display = opened(make_renditions(encode(image, "PNG")).display)

    assert display.mode == "RGB"
    assert is_close(display.getpixel((10, 10)), (255, 255, 255), tolerance=8)
    assert is_close(display.getpixel((100, 100)), RED)


def test_sixteen_bit_grey_png_keeps_its_tones() -> None:
    mid_grey = Image.new("I;16", (100, 100), 32768)

    display = opened(make_renditions(encode(mid_grey, "PNG")).display)

    assert is_close(display.getpixel((50, 50)), (128, 128, 128), tolerance=8)


@pytest.mark.parametrize(
    ("mode", "format"),
    [("L", "JPEG"), ("CMYK", "JPEG"), ("P", "PNG"), ("LA", "PNG")],
)
def test_photo_in_any_colour_mode_renders_as_rgb_jpeg(mode: str, format: str) -> None:
    display = opened(make_renditions(encode(photo().convert(mode), format)).display)

    assert (display.format, display.mode, display.size) == ("JPEG", "RGB", (400, 200))


def test_broken_icc_profile_does_not_stop_the_renditions() -> None:
    original = encode(two_halves(), icc_profile=b"not really a colour profile")

    display = opened(make_renditions(original).display)

    assert is_close(display.getpixel((40, 100)), RED)


def test_heic_photo_is_rendered_upright_as_jpeg() -> None:
    # pillow-heif stores EXIF orientation as the container's rotation, which the decoder then applies.
    original = encode(two_halves(400, 200), "HEIF", exif=exif_with_gps(orientation=6).tobytes())

    renditions = make_renditions(original)

    assert accepted(original).content_type == "image/heic"
    assert (renditions.display_width, renditions.display_height) == (200, 400)
    assert is_close(opened(renditions.display).getpixel((100, 40)), RED)
