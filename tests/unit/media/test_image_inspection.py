"""Photo acceptance: decided by content; every bad file gets a precise reason."""

from __future__ import annotations

import hashlib
import time

import pytest
from PIL import Image, ImageFile

from sereno.media.images import ImageInfo, ImageRejected, inspect_image

from tests.support.photos import (
    MAX_BYTES,
    RED,
    accepted,
    encode,
    exif_with_gps,
    photo,
    png_bomb,
    rejection,
    small_zip,
    with_frame_size,
    zip_end_record,
)


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


