"""The report as PDF, converted by LibreOffice headless (the only converter that reads .docx faithfully and is
free to install on a council's server).

The export options keep what a published report needs: a tagged PDF (PDF/UA: headings, tables and reading
order for screen readers), the heading outline as PDF bookmarks, and the document's links. Internal links
survive because the .docx links to real w:bookmarkStart names (see docs/report.md). What the export loses
(the charts' alt text) pdf_tags.py puts back before the file is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpixl.errors import ReportError
from kpixl.files import write_atomic

__all__ = ["EXPORT_OPTIONS", "convert_to_pdf", "find_soffice"]

EXPORT_OPTIONS = {
    "UseTaggedPDF": True,  # structure for screen readers
    "PDFUACompliance": True,  # PDF/UA: document title shown, language and tags required
    "ExportBookmarks": True,  # the heading outline
    "ExportNotes": False,
}
INSTALL_HINT = ("Install LibreOffice (Debian/Ubuntu: sudo apt-get install libreoffice-writer; macOS: "
                "brew install --cask libreoffice; Windows: libreoffice.org), or open the .docx in Word and "
                "save it as PDF.")
TIMEOUT_SECONDS = 300
_MAC_APP = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")


def find_soffice() -> str | None:
    """LibreOffice's soffice: $KPIXL_SOFFICE, then the PATH, then the usual macOS place."""
    named = os.environ.get("KPIXL_SOFFICE")
    if named:
        return named
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or (str(_MAC_APP) if _MAC_APP.is_file() else None)


def _filter() -> str:
    options = {name: {"type": "boolean", "value": "true" if value else "false"}
               for name, value in EXPORT_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def convert_to_pdf(docx: Path, pdf: Path | None = None) -> Path:
    """Convert docx to pdf (default: beside it, same name) and return the PDF's path."""
    soffice = find_soffice()
    target = pdf or docx.with_suffix(".pdf")
    if soffice is None:
        raise ReportError(f"LibreOffice is needed to make the PDF and was not found. {INSTALL_HINT} "
                          f"The Word report is at {docx}.")
    # A fresh profile each time: a LibreOffice already open on the desktop would otherwise take the job and
    # exit silently without converting.
    with tempfile.TemporaryDirectory(prefix="kpixl-lo-") as work:
        profile = Path(work, "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", _filter(), "--outdir", work, str(docx)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(f"LibreOffice could not convert {docx} to PDF ({exc}). "
                              f"{INSTALL_HINT}") from None
        produced = Path(work) / (docx.stem + ".pdf")
        if done.returncode != 0 or not produced.is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
            raise ReportError(f"LibreOffice did not convert {docx} to PDF ({detail[0]}). Open the .docx in "
                              "LibreOffice or Word to check it, and save it as PDF from there.")
        # Imported here, the one place it is used: pikepdf takes 0.07-0.09 s to import, a tenth of a one-committee
        # `kpixl report` that makes no PDF (benchmarks/README.md, "Imports").
        from kpixl.report.pdf_tags import mend_pdf

        mended = mend_pdf(docx, produced.read_bytes())
        # LibreOffice writes the PDF in its own folder; it takes target's place whole (write_atomic), so an
        # interrupted conversion or write leaves the previous PDF as it was.
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, mended)
    return target
