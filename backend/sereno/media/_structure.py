"""The byte layout of the accepted photo formats, read without decoding a pixel.

Pillow answers "does this decode?" but not "how large does the header say it is?" before it allocates, nor
"where does the image end?". The first refuses decompression bombs cheaply; the second finds data smuggled
after the picture (polyglots). Only the few fields needed for that are read here, by hand.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

__all__ = [
    "HEIC",
    "JPEG",
    "PNG",
    "WEBP",
    "Malformed",
    "carries_foreign_content",
    "image_end",
    "sniff",
    "stored_size",
    "trailing_data_is_benign",
]

JPEG, PNG, WEBP, HEIC = "image/jpeg", "image/png", "image/webp", "image/heic"


class Malformed(Exception):
    """The bytes end before their own structure says they should, or break that structure."""


def _u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "big")


def _u32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "big")


def _u32le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


# --- Sniffing ---------------------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# AVIF shares HEIF's container and its generic "mif1" brand, so an HEVC brand is what makes a file HEIC.
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})


def sniff(data: bytes) -> str | None:
    """The content type the leading bytes prove, or None for anything that is not an accepted photo type."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and _has_hevc_brand(data):
        return HEIC
    return None


def _has_hevc_brand(data: bytes) -> bool:
    ftyp = data[: min(_u32(data, 0), 256)]
    major = ftyp[8:12]
    compatible = {ftyp[at : at + 4] for at in range(16, len(ftyp) - 3, 4)}
    if major in _HEVC_BRANDS:
        return True
    return major in _GENERIC_HEIF_BRANDS and not compatible.isdisjoint(_HEVC_BRANDS)


# --- JPEG -------------------------------------------------------------------------------------------------

_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS, _EOI = 0xDA, 0xD9
# The format sets no limit on 0xFF fill bytes before a marker, nor on segments. Encoders write a few fill
# bytes at most and some hundreds of segments (large XMP is split into 64 KiB ones); millions of either cost
# Pillow's header parser seconds per file.
_MARKER = re.compile(rb"\xff{1,64}([^\xff])")
_MAX_JPEG_SEGMENTS = 2_000
# Inside entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else ends it.
_END_OF_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_segments(data: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """Yield (marker, payload start, segment end) for each segment of the JPEG at ``start``; EOI is last."""
    if data[start : start + 2] != b"\xff\xd8":
        raise Malformed("no start-of-image marker")
    pos = start + 2
    for _ in range(_MAX_JPEG_SEGMENTS):
        found = _MARKER.match(data, pos)
        if found is None:
            raise Malformed("expected a marker")
        marker, pos = found[1][0], found.end()
        if marker == _EOI:
            yield marker, pos, pos
            return
        if marker in _STANDALONE_MARKERS:
            continue
        length = _u16(data, pos)
        if marker in (0x00, 0xD8) or length < 2 or pos + length > len(data):
            raise Malformed("broken or cut segment")
        yield marker, pos + 2, pos + length
        pos += length
        if marker == _SOS:
            end_of_scan = _END_OF_SCAN.search(data, pos)
            if end_of_scan is None:
                raise Malformed("scan data runs to the end of the file")
            pos = end_of_scan.start()
    raise Malformed("too many segments")


def _jpeg_size(data: bytes, start: int = 0) -> tuple[int, int]:
    for marker, payload, end in _jpeg_segments(data, start):
        if marker in _SOF_MARKERS:
            height, width = _u16(data, payload + 1), _u16(data, payload + 3)
            if end - payload < 5 or not (width and height):
                raise Malformed("unusable frame header")
            return width, height
    raise Malformed("no frame header")


def _jpeg_end(data: bytes, start: int = 0) -> int:
    end = start
    for _marker, _payload, end in _jpeg_segments(data, start):
        pass
    return end


# --- PNG --------------------------------------------------------------------------------------------------

# Encoders split the pixel data into chunks of 8 KiB or more; a hundred thousand chunks is not a photo.
_MAX_PNG_CHUNKS = 100_000


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, int]]:
    """Yield (type, chunk end) for each chunk, ending with IEND."""
    pos = len(_PNG_SIGNATURE)
    for _ in range(_MAX_PNG_CHUNKS):
        length, kind = _u32(data, pos), data[pos + 4 : pos + 8]
        end = pos + 12 + length  # length, type, payload, CRC
        if end > len(data):
            raise Malformed("cut chunk")
        yield kind, end
        if kind == b"IEND":
            return
        pos = end
    raise Malformed("too many chunks")


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 33 or data[12:16] != b"IHDR" or _u32(data, 8) != 13:
        raise Malformed("PNG does not start with a complete header chunk")
    return _u32(data, 16), _u32(data, 20)


def _png_end(data: bytes) -> int:
    end = 0
    for _kind, end in _png_chunks(data):
        pass
    return end


# --- WebP -------------------------------------------------------------------------------------------------


def _webp_size(data: bytes) -> tuple[int, int]:
    if len(data) < 30:
        raise Malformed("cut header")
    kind = data[12:16]
    if kind == b"VP8X":  # extended format: 24-bit canvas size minus one
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit sizes after the start code
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if kind == b"VP8L" and data[20] == 0x2F:  # lossless: two 14-bit sizes minus one
        bits = _u32le(data, 21)
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    raise Malformed("unknown WebP bitstream")


def _webp_end(data: bytes) -> int:
    end = 8 + _u32le(data, 4)  # the RIFF header counts every byte after itself
    if end > len(data):
        raise Malformed("cut RIFF")
    return end


# --- HEIC (ISO base media file format boxes) ----------------------------------------------------------------

_BOX_TYPE = re.compile(rb"[\x20-\x7e]{4}")
_MAX_TOP_LEVEL_BOXES = 1_000  # a phone's HEIC has three or four: ftyp, meta, mdat and perhaps free


def _box(data: bytes, pos: int, stop: int) -> tuple[bytes, int, int]:
    """(type, payload start, box end) of the box at ``pos``, which must end by ``stop``."""
    size, kind, header = _u32(data, pos), data[pos + 4 : pos + 8], 8
    if size == 1:  # 64-bit size follows the type
        size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
    elif size == 0:  # runs to the end of its container
        size = stop - pos
    if pos + 8 > stop or size < header or pos + size > stop:
        raise Malformed("cut box")
    return kind, pos + header, pos + size


def _boxes(data: bytes, start: int, stop: int) -> Iterator[tuple[bytes, int, int]]:
    pos = start
    while pos < stop:
        kind, payload, pos = _box(data, pos, stop)
        yield kind, payload, pos


def _child(data: bytes, start: int, stop: int, wanted: bytes) -> tuple[int, int]:
    for kind, payload, end in _boxes(data, start, stop):
        if kind == wanted:
            return payload, end
    raise Malformed(f"no {wanted.decode()} box")


def _heic_size(data: bytes) -> tuple[int, int]:
    """The largest image extent ('ispe') declared: the primary image's, or larger, never smaller."""
    meta_start, meta_end = _child(data, 0, len(data), b"meta")
    properties_start, properties_end = _child(data, meta_start + 4, meta_end, b"iprp")  # meta is a full box
    ipco_start, ipco_end = _child(data, properties_start, properties_end, b"ipco")
    extents = [
        (_u32(data, payload + 4), _u32(data, payload + 8))
        for kind, payload, end in _boxes(data, ipco_start, ipco_end)
        if kind == b"ispe" and end - payload >= 12
    ]
    if not extents:
        raise Malformed("no image extent")
    return max(extents, key=lambda extent: extent[0] * extent[1])


def _heic_end(data: bytes) -> int:
    # The top-level boxes end where the next bytes stop looking like one. A box cut short also ends the walk:
    # whether its content is missing is for the decoder to say, and anything else after it is foreign.
    pos, boxes = 0, 0
    while pos + 8 <= len(data) and _BOX_TYPE.fullmatch(data, pos + 4, pos + 8):
        boxes += 1
        if boxes > _MAX_TOP_LEVEL_BOXES:
            raise Malformed("too many boxes")
        try:
            _kind, _payload, pos = _box(data, pos, len(data))
        except Malformed:
            break
    return pos


# --- Whole-file questions -----------------------------------------------------------------------------------

_SIZE_READERS = {JPEG: _jpeg_size, PNG: _png_size, WEBP: _webp_size, HEIC: _heic_size}
_END_READERS = {JPEG: _jpeg_end, PNG: _png_end, WEBP: _webp_end, HEIC: _heic_end}


def stored_size(content_type: str, data: bytes) -> tuple[int, int]:
    """(width, height) as the header declares them, before EXIF orientation. Raises Malformed."""
    return _SIZE_READERS[content_type](data)


def image_end(content_type: str, data: bytes) -> int:
    """Offset just past the image's last byte, found by walking its structure. Raises Malformed."""
    return _END_READERS[content_type](data)


_MAX_APPENDED_JPEGS = 16  # phones append two or three: previews, a depth map, an HDR gain map


def trailing_data_is_benign(content_type: str, data: bytes, end: int) -> bool:
    """Whether the bytes after ``end`` are zero padding or, after a JPEG, only further complete JPEGs.

    Phone cameras append those JPEGs (the MPF "multi-picture" previews and depth maps) after the main one.
    """
    stop = len(data.rstrip(b"\x00"))
    if end >= stop:
        return True
    if content_type != JPEG:
        return False
    try:
        for _ in range(_MAX_APPENDED_JPEGS):
            _jpeg_size(data, end)  # a picture, not merely a pair of markers
            end = _jpeg_end(data, end)
            if end >= stop:
                return True
    except Malformed:
        pass
    return False


# A tag name ends at whitespace, "/" or ">": requiring that costs no detection and keeps the short patterns
# from turning up by chance in compressed pixels ("<svg" alone would, in about one 10 MB photo in fifty).
_FOREIGN_TEXT = re.compile(rb"<script|<html[\s/>]|<\?php\s|<svg[\s/>]|<!doctype|%PDF-", re.IGNORECASE)
_ZIP_SIGNATURE = re.compile(rb"PK\x03\x04|PK\x05\x06")
_ZIP_METHODS = frozenset({0, 8, 9, 12, 14, 93, 95, 98, 99})


def carries_foreign_content(data: bytes) -> bool:
    """Whether anywhere in ``data`` is HTML, SVG, PHP, PDF or ZIP that another program would act on."""
    if _FOREIGN_TEXT.search(data):
        return True
    return any(_looks_like_zip_record(data, found.start()) for found in _ZIP_SIGNATURE.finditer(data))


def _looks_like_zip_record(data: bytes, at: int) -> bool:
    # The four signature bytes alone occur by chance in a few photos in a thousand; the fields after them
    # must also make sense for a ZIP reader to use them.
    if data[at + 2] == 0x03:  # local file header
        if at + 30 > len(data):
            return False
        version, _flags, method = struct.unpack_from("<HHH", data, at + 4)
        name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
        return (
            version <= 63
            and method in _ZIP_METHODS
            and 0 < name_length <= 1024
            and at + 30 + name_length + extra_length <= len(data)
        )
    if at + 22 > len(data):  # end of central directory
        return False
    disk, directory_disk, entries_here, entries = struct.unpack_from("<HHHH", data, at + 4)
    comment_length = int.from_bytes(data[at + 20 : at + 22], "little")
    return disk == directory_disk and entries_here == entries and at + 22 + comment_length <= len(data)
