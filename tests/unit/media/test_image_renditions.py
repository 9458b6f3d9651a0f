"""The renditions that are ever served: upright, scaled, without any metadata (GPS included)."""

from __future__ import annotations


import pytest
from PIL import Image, ImageCms

from sereno.media.images import make_renditions

from tests.support.photos import (
    BLUE,
    GPS_IFD_POINTERS,
    RED,
    accepted,
    encode,
    exif_with_gps,
    is_close,
    opened,
    photo,
    two_halves,
)


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
