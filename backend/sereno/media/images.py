"""Which uploaded photos are accepted, and the only renditions of them that are ever served.

Every decision is made from the bytes: the file name and the type the phone declares are only compared with
what the bytes turn out to be. Originals stay private; what is served is a re-encoded JPEG without any
metadata, so the GPS position a phone writes into EXIF never reaches anyone who views the photo.
"""

from __future__ import annotations

import hashlib
import io

import msgspec
import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageOps

from sereno.media import _structure
from sereno.media._structure import HEIC, JPEG, PNG, WEBP

__all__ = ["ImageInfo", "ImageRejected", "Renditions", "inspect_image", "make_renditions"]

pillow_heif.register_heif_opener()  # iPhones send HEIC by default

DISPLAY_MAX_SIDE = 1600
THUMB_MAX_SIDE = 320
JPEG_QUALITY = 82

# Image.open is told which decoder to use, so Pillow never picks one by guessing from the bytes.
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}
_TYPE_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "image/heif": HEIC}
# Orientations 5 to 8 turn the picture a quarter turn: the displayed width is the stored height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


class ImageRejected(Exception):
    """The bytes are not a photo Sereno accepts.

    ``reason`` is a stable code for the API: "wrong_type", "type_mismatch", "too_large", "too_many_pixels",
    "truncated" (cut short or otherwise undecodable) or "polyglot" (carries something besides the picture).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageInfo(msgspec.Struct, frozen=True):
    content_type: str  # image/jpeg, image/png, image/webp or image/heic
    width: int  # as displayed, after EXIF orientation
    height: int
    size_bytes: int
    sha256: str  # hex digest of the original bytes


class Renditions(msgspec.Struct, frozen=True):
    display: bytes  # JPEG, longest side at most DISPLAY_MAX_SIDE
    display_width: int
    display_height: int
    thumb: bytes  # JPEG, longest side at most THUMB_MAX_SIDE
    thumb_width: int
    thumb_height: int


def inspect_image(
    data: bytes, *, max_bytes: int, max_pixels: int, declared_type: str | None = None
) -> ImageInfo:
    """Accept ``data`` as a photo or raise ImageRejected, running the cheapest checks first.

    The pixel count comes from the header before any pixel is decoded, so a tiny file declaring a huge
    image is refused without allocating it. Truncation is found by walking the format's structure as well
    as by decoding, so the answer does not depend on Pillow's process-wide LOAD_TRUNCATED_IMAGES switch.
    """
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    content_type = _structure.sniff(data)
    if content_type is None:
        raise ImageRejected("wrong_type")
    # Some browsers report an empty type for HEIC files; that declares nothing, so it cannot disagree.
    if declared_type and _canonical_type(declared_type) != content_type:
        raise ImageRejected("type_mismatch")
    try:
        stored_width, stored_height = _structure.stored_size(content_type, data)
        if stored_width * stored_height > max_pixels:
            raise ImageRejected("too_many_pixels")
        end = _structure.image_end(content_type, data)
    except _structure.Malformed:
        raise ImageRejected("truncated") from None
    width, height = _decoded_size(data, content_type, max_pixels=max_pixels)
    if not _structure.trailing_data_is_benign(content_type, data, end):
        raise ImageRejected("polyglot")
    if _structure.carries_foreign_content(data):
        raise ImageRejected("polyglot")
    return ImageInfo(
        content_type=content_type,
        width=width,
        height=height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def make_renditions(data: bytes, *, max_pixels: int | None = None) -> Renditions:
    """The display and thumbnail JPEGs of a photo that inspect_image accepted: upright, sRGB, no metadata.

    Decodes the whole photo, so it belongs in the background worker, never in a request. ``max_pixels`` is
    checked again before decoding: the bytes are read back from storage, which is not where they were checked.
    """
    content_type = _structure.sniff(data)
    if content_type is None:
        raise ImageRejected("wrong_type")
    with _open(data, content_type) as original:
        if max_pixels is not None and original.width * original.height > max_pixels:
            raise ImageRejected("too_many_pixels")
        photo = _flattened_srgb(ImageOps.exif_transpose(original))
    display = _fit(photo, DISPLAY_MAX_SIDE)
    thumb = _fit(display, THUMB_MAX_SIDE)
    return Renditions(
        display=_metadata_free_jpeg(display),
        display_width=display.width,
        display_height=display.height,
        thumb=_metadata_free_jpeg(thumb),
        thumb_width=thumb.width,
        thumb_height=thumb.height,
    )


def _canonical_type(declared_type: str) -> str:
    media_type = declared_type.split(";", 1)[0].strip().lower()
    return _TYPE_ALIASES.get(media_type, media_type)


def _open(data: bytes, content_type: str) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]])


def _decoded_size(data: bytes, content_type: str, *, max_pixels: int) -> tuple[int, int]:
    """Decode every pixel, so a damaged photo is refused now rather than in the worker; the displayed size."""
    try:
        with _open(data, content_type) as image:
            if image.width * image.height > max_pixels:  # in case the decoder reads the header differently
                raise ImageRejected("too_many_pixels")
            image.load()
            orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
            width, height = image.size
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("too_many_pixels") from None
    except Exception:  # hostile bytes reach Pillow's decoders, which report damage with many exception types
        raise ImageRejected("truncated") from None
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def _flattened_srgb(image: Image.Image) -> Image.Image:
    """An RGB image in sRGB with transparent areas on white: what every browser shows the same way."""
    icc_profile = image.info.get("icc_profile")
    if image.mode.startswith("I"):  # 16-bit grey: scale to 8 bits, as a plain convert would clip to white
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if icc_profile:
        try:
            return ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile, or one for another colour space: keep the values as they are
    return image.convert("RGB")


def _fit(image: Image.Image, longest_side: int) -> Image.Image:
    """Scale down so that the longest side is at most ``longest_side``; never scale up."""
    scale = longest_side / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _metadata_free_jpeg(image: Image.Image) -> bytes:
    # Pillow carries some entries of image.info (a JPEG comment, for one) into what it saves, so the pixels
    # are saved from a fresh image that has no metadata to carry.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return out.getvalue()
