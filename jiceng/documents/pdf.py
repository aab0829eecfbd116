"""PDF from .docx through LibreOffice (`soffice --headless --convert-to pdf`)."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from os import PathLike
from pathlib import Path

from django.utils.translation import gettext as _

DEFAULT_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile


# Servers rarely have the Windows fonts documents name. For the PDF, map each name to the
# closest free font (fontconfig aliases, used only by this conversion): Song and FangSong
# → Noto Serif CJK SC, Kai → AR PL UKai (when installed), Hei → Noto Sans CJK SC. Without
# this, fontconfig falls back to whatever CJK font sorts first (often a Japanese variant).
SERIF = ("Noto Serif CJK SC", "AR PL UMing CN", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
KAI = ("AR PL UKai CN", "AR PL KaitiM GB", *SERIF)
SANS = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Noto Serif CJK SC")
FONT_ALIASES = {
    "仿宋_GB2312": SERIF,
    "仿宋": SERIF,
    "FangSong": SERIF,
    "宋体": SERIF,
    "SimSun": SERIF,
    "方正小标宋简体": SERIF,
    "方正小标宋_GBK": SERIF,
    "华文中宋": SERIF,
    "楷体_GB2312": KAI,
    "楷体": KAI,
    "KaiTi": KAI,
    "黑体": SANS,
    "SimHei": SANS,
}


def _fontconfig(folder: Path) -> Path:
    def alias(name, prefer):
        fams = "".join(f"<family>{f}</family>" for f in prefer)
        return f'<alias binding="same"><family>{name}</family><prefer>{fams}</prefer></alias>'

    path = folder / "fonts.conf"
    system = os.environ.get("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">{system}</include>'
        + "".join(alias(n, p) for n, p in FONT_ALIASES.items())
        + "</fontconfig>",
        encoding="utf-8",
    )
    return path


class DocumentError(Exception):
    """A document could not be produced; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def libreoffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("libreoffice") or shutil.which("soffice")


def to_pdf(source, pdf_path: str | PathLike, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert a .docx (a path, bytes or an OfficialDocument) to PDF at `pdf_path`.

    Runs LibreOffice headless with a throwaway profile (so parallel conversions and a
    desktop session do not collide) and a timeout. Raises DocumentError when LibreOffice
    is missing, times out or produces nothing.
    """
    binary = libreoffice()
    if binary is None:
        raise DocumentError(
            _(
                "LibreOffice is not installed, so no PDF can be made; install libreoffice-writer-nogui."
            )
        )
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="jiceng-pdf-") as tmp:
        tmp = Path(tmp)
        if isinstance(source, str | PathLike):
            docx = Path(source)
        else:
            docx = tmp / "document.docx"
            data = source if isinstance(source, bytes) else source.to_bytes()
            docx.write_bytes(data)
        # LibreOffice names its output after the input; copy to a plain ASCII name first.
        src = tmp / "in" / "document.docx"
        src.parent.mkdir()
        shutil.copyfile(docx, src)
        out = tmp / "out"
        command = [
            binary,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            str(src),
        ]
        env = {**os.environ, "HOME": str(tmp), "FONTCONFIG_FILE": str(_fontconfig(tmp))}
        # its own session, so a timeout ends LibreOffice's whole process group
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise DocumentError(
                _("LibreOffice did not finish the PDF within %(s)s seconds.") % {"s": timeout}
            ) from None
        result = out / "document.pdf"
        if proc.returncode != 0 or not result.exists():
            detail = (stderr or stdout).decode("utf-8", "replace").strip()[-300:]
            raise DocumentError(
                _("LibreOffice could not convert the document to PDF: %(detail)s")
                % {"detail": detail or proc.returncode}
            )
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(result, pdf_path)
    return pdf_path


def pdf_bytes(source, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The PDF of a .docx (path, bytes or OfficialDocument) as bytes."""
    with tempfile.TemporaryDirectory(prefix="jiceng-pdf-") as tmp:
        path = to_pdf(source, Path(tmp) / "out.pdf", timeout=timeout)
        return path.read_bytes()
