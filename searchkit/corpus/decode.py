"""Bytes to text: BOM, strict UTF-8, then detection for legacy encodings; binary sniffing."""

from __future__ import annotations

import codecs

_BOMS_16_32 = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never occur in text: C0 controls other than \t \n \v \f \r and ESC, and DEL.
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_SNIFF = 65536
_BOM_LEADS = (b"\xff", b"\xfe", b"\x00")  # first bytes of the UTF-16/32 BOMs
# Encodings the detector may name that are never right for a news text file.
_IMPLAUSIBLE = ("utf_16", "utf_32", "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140")


def _utf16_32_bom(data: bytes) -> str | None:
    for bom, codec in _BOMS_16_32:
        if data.startswith(bom):
            return codec
    return None


def sniff(data: bytes) -> tuple[bool, int]:
    """``(binary, nuls)``: whether ``data`` is not text (see ``looks_binary``), and how
    many stray NUL bytes text holds (see ``stray_nuls``), in one look at the bytes."""
    if data[:1] in _BOM_LEADS and _utf16_32_bom(data):
        return False, 0  # UTF-16/32 text holds NULs
    nuls = data.count(0)
    if nuls and (nuls * 10 > len(data) or (nuls > 8 and nuls * 100 > len(data))):
        return True, nuls
    sample = data if len(data) <= _SNIFF else data[:_SNIFF]
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls > max(8, len(sample) // 20), nuls


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes in more than 1 % of it (up to 8 may be
    up to 10 %), or many other control bytes in its first 64 KiB.

    Text in UTF-16/UTF-32 with a BOM (which contains NULs) is not binary; a few stray
    NULs in plain text (see ``stray_nuls``) do not make it binary.
    """
    return sniff(data)[0]


def stray_nuls(data: bytes) -> int:
    """How many NUL bytes text that is not binary holds (0 for UTF-16/32 with a BOM):
    they carry nothing and are dropped before decoding."""
    return sniff(data)[1]


def _latin_plausible(text: str) -> bool:
    """Does a cp1252 decoding look like a Western text rather than another script's bytes?

    In English, French, German, Spanish … accented letters are a minority of the letters;
    Cyrillic or Greek bytes read as cp1252 give almost nothing but accented letters.
    """
    letters = accented = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ord(ch) > 127:
                accented += 1
    return accented * 10 <= letters * 4


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    for match in from_bytes(data):
        encoding = match.encoding
        if encoding.startswith(_IMPLAUSIBLE) or encoding in ("utf_8", "ascii"):
            continue
        return str(match), encoding
    return None


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode a file's bytes: ``(text, notice)``; notice is None for plain UTF-8.

    A UTF-8 BOM is stripped. Strict UTF-8 first; then UTF-16/32 with a BOM; otherwise the
    encoding is detected (charset-normalizer), preferring cp1252 whenever that decoding
    is plausible Western text (the detector is unreliable on short Latin texts), and
    falling back to cp1252 with replacement characters. The notice then says so, e.g.
    "decoded as cp1252 (not UTF-8)".
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    wide = _utf16_32_bom(data)
    if wide:
        try:
            return data.decode(wide).lstrip("\ufeff"), f"decoded as {wide} (not UTF-8)"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _latin_plausible(text):
        return text, "decoded as cp1252 (not UTF-8)"
    detected = _detect(data)
    if detected is not None:
        text, encoding = detected
        return text, f"decoded as {encoding} (not UTF-8)"
    if text is None:
        return data.decode("cp1252", errors="replace"), "decoded as cp1252 (not UTF-8)"
    return text, "decoded as cp1252 (not UTF-8)"
