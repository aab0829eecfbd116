"""Uploaded files: their type told apart by their first bytes, never by the name or the
browser's word. Shared by every app that takes uploads (meeting attachments, members' photos)."""

import zipfile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sniff_type(head: bytes, whole=None) -> str:
    """The content type of a file from its first bytes (`whole`: a seekable file, used to look
    inside zip containers)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            with zipfile.ZipFile(whole) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "application/octet-stream"
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return "application/octet-stream"


def size_text(n: int) -> str:
    """A size as people read it: 512 B, 300 KB, 2.0 MB."""
    if n >= 1048576:
        return f"{n / 1048576:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"
