"""Printing an exported file the way a reviewer's office would: LibreOffice to PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

#: LibreOffice's command (``.ci/run`` installs it); tests that print skip without it.
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def print_to_pdf(path: Path, workdir: Path) -> Path:
    """Convert ``path`` (.xlsx, .docx) to PDF in ``workdir`` with a private
    LibreOffice profile (so parallel runs do not share one) and return the PDF."""
    assert SOFFICE is not None, "LibreOffice is not installed"
    proc = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{workdir}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = workdir / (path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    return pdf
