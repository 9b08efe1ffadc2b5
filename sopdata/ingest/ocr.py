"""Read scanned SOPs (PDF pages without a text layer, page images) with Tesseract.

The step table is rebuilt from the page image, not from the OCR's reading order:

1. each page is rendered (PDF, by pdfium at :data:`RENDER_DPI`) or decoded
   (PNG, JPEG, TIFF ...), brought to about 300 dpi and straightened: the skew
   is estimated from the long ruled lines (from the ink's ``minAreaRect`` on a
   page without them); a page more askew than :data:`MAX_SKEW_DEG` is refused;
2. the ruled lines are found by morphology on the binarised page (a long
   horizontal and a long vertical opening): their crossings give each table's
   grid, and a missing border between two grid cells makes a merged cell;
3. a flowchart symbol drawn in a cell is told by the hole its outline
   encloses: a rectangle □, a rounded box or oval ⬭, a diamond ◇ (an arrow
   encloses nothing and is not a symbol);
4. the lines and symbols are erased and Tesseract (Indonesian model) reads the
   whole page once (``tsv``: words with boxes and confidences); every word goes
   to the cell its box lies in, and a cell's lines are reflowed as in a PDF.

The result is a :class:`ScanDocument`, rows of cells like every other table
reader's, so :func:`~sopdata.ingest.parse_text.parse_rows` reads it as it reads
Word or PDF; the page text in reading order is the fallback for the text
parser. Cells read with low confidence are named in the SOPs' warnings
(:func:`attach_low_confidence`). Reading is bounded by :data:`MAX_PAGES` pages,
:data:`TIME_BUDGET_S` seconds in all and :data:`PAGE_TIMEOUT_S` per page; a
progress callback hears after every page.
"""

from __future__ import annotations

import bisect
import functools
import io
import math
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sopdata.errors import SOPLoadError
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.ingest.labels import canonical_labels
from sopdata.ingest.table_rows import Row, TableDocument, tidy_line
from sopdata.records import SOP

#: Pages read at most (each takes seconds of OCR).
MAX_PAGES = 40
#: Seconds spent on OCR in all at most (checked between pages).
TIME_BUDGET_S = 300.0
#: Seconds Tesseract may spend on one page.
PAGE_TIMEOUT_S = 90.0
#: PDF pages are rendered at this resolution; images are scaled towards it.
RENDER_DPI = 300
#: A page more askew than this (degrees) is not read.
MAX_SKEW_DEG = 10.0
#: Pixels of one page image at most (a decompression bomb is refused).
MAX_PIXELS = 80_000_000
#: Cells whose words Tesseract read with a lower mean confidence (%) are named in the warnings.
LOW_CONFIDENCE = 70.0
#: The Tesseract model used.
LANGUAGE = "ind"

#: ``progress(pages_done, pages_total)``, called before the first page (0) and
#: after every page.
Progress = Callable[[int, int], None]

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-ind"


@dataclass
class LowConfidenceCell:
    """A cell whose words Tesseract was unsure of."""

    text: str
    confidence: float
    step: str = ""  # the step number, where the cell is in a step row
    column: str = ""  # the column's header (Kegiatan, Waktu, an actor ...)
    row: int = -1  # its row in the document's rows

    def describe(self) -> str:
        if self.step and self.column:
            where = f"langkah {self.step} {self.column}"
        else:
            text = " ".join(self.text.split())
            short = text if len(text) <= 40 else text[:40] + "…"
            where = f"'{short}'"
        return f"sel dengan keyakinan OCR rendah: {where} ({self.confidence:.0f}%)"


@dataclass
class ScanDocument(TableDocument):
    """Rows read by OCR, with the cells read with low confidence and the pages read."""

    low_confidence: list[LowConfidenceCell] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # tables' rows [start, end)
    pages: int = 0


# --- Tesseract -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _tesseract_languages(command: str) -> frozenset[str]:
    try:
        out = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in (out.stdout + out.stderr).splitlines()[1:])


def tesseract_command(name: str = "", pages: int = 0) -> str:
    """The ``tesseract`` program, checked to have the Indonesian model.

    Raises:
        SOPLoadError: Tesseract or its Indonesian model is not installed.
    """
    command = shutil.which(os.environ.get("SOP_HARMONI_TESSERACT", "tesseract"))
    if command is None:
        raise SOPLoadError(
            f"Dokumen ini hasil pindaian{f' ({pages} halaman)' if pages else ''} dan perlu OCR, "
            "tetapi Tesseract belum terpasang di "
            f"server; pasang dengan '{INSTALL_HINT}' lalu unggah lagi.",
            name,
        )
    if LANGUAGE not in _tesseract_languages(command):
        raise SOPLoadError(
            "Model bahasa Indonesia untuk Tesseract belum terpasang; pasang dengan "
            f"'{INSTALL_HINT}' lalu unggah lagi.",
            name,
        )
    return command


@dataclass
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int, int]  # page-level (block, paragraph, line) key

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2


def run_tesseract(
    command: str, gray: np.ndarray, timeout_s: float, name: str, psm: int = 6
) -> list[Word]:
    """The words Tesseract reads on one page image (one pass, ``tsv`` output); page
    segmentation ``--psm 6``: one block of text, lines across the page's columns (the
    words' boxes place them in cells, and no lone number in a narrow cell is lost)."""
    import cv2

    ok, encoded = cv2.imencode(".png", gray, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - a grey numpy image always encodes
        raise SOPLoadError("Gambar halaman tidak dapat disiapkan untuk OCR.", name)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        proc = subprocess.run(
            [command, "stdin", "stdout", "-l", LANGUAGE, "--psm", str(psm), "--dpi", "300"]
            + ["-c", "tessedit_do_invert=0", "tsv"],
            input=encoded.tobytes(),
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SOPLoadError(
            f"OCR satu halaman melebihi batas {timeout_s:.0f} detik; pindai ulang dengan "
            "kualitas lebih baik atau pecah dokumennya.",
            name,
        ) from exc
    except OSError as exc:
        raise SOPLoadError(f"Tesseract tidak dapat dijalankan ({exc.strerror}).", name) from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SOPLoadError(
            "Tesseract gagal membaca halaman" + (f" ({detail[-1][:120]})" if detail else "") + ".",
            name,
        )
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of Tesseract's ``tsv`` output."""
    words = []
    for line in tsv.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        try:
            block, par, ln = int(parts[2]), int(parts[3]), int(parts[4])
            left, top, width, height = (int(p) for p in parts[6:10])
            conf = float(parts[10])
        except ValueError:
            continue
        words.append(
            Word(parts[11].strip(), left, top, width, height, conf, (int(parts[1]), block, par, ln))
        )
    return words


# --- page images ------------------------------------------------------------------


def pdf_page_images(
    data: bytes, name: str, dpi: int = RENDER_DPI
) -> tuple[int, Iterator[np.ndarray]]:
    """The page count of a PDF and its pages rendered as grey images, one at a time."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
        total = len(pdf)
    except Exception as exc:
        raise SOPLoadError("PDF hasil pindaian tidak dapat dibuka untuk OCR.", name) from exc

    def pages() -> Iterator[np.ndarray]:
        try:
            for index in range(total):
                try:
                    page = pdf[index]
                    width, height = page.get_size()
                    scale = dpi / 72
                    if width * height * scale * scale > MAX_PIXELS:
                        scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0))
                    bitmap = page.render(scale=scale, grayscale=True)
                except Exception as exc:  # pdfium: "Failed to load page" of a damaged file
                    raise SOPLoadError(
                        f"PDF hasil pindaian rusak: halaman {index + 1} tidak dapat dibaca; "
                        "simpan ulang PDF-nya lalu unggah lagi.",
                        name,
                    ) from exc
                image = np.array(bitmap.to_numpy())
                if image.ndim == 3:
                    image = image[:, :, 0]
                yield image
        finally:
            pdf.close()

    return total, pages()


def image_pages(data: bytes, name: str) -> tuple[int, Iterator[np.ndarray]]:
    """The frames of an image file (a multi-page TIFF has several) as grey images."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        total = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, Image.DecompressionBombError, Exception) as exc:
        raise SOPLoadError(
            "Gambar tidak dapat dibuka (berkas rusak atau format tak dikenal).", name
        ) from exc

    def pages() -> Iterator[np.ndarray]:
        try:
            for frame in ImageSequence.Iterator(image):
                if frame.width * frame.height > MAX_PIXELS:
                    raise SOPLoadError(
                        f"Gambar terlalu besar ({frame.width}×{frame.height} piksel); pindai "
                        "ulang pada 300 dpi.",
                        name,
                    )
                yield np.asarray(frame.convert("L"))
        except SOPLoadError:
            raise
        except Exception as exc:  # Pillow raises many kinds on a damaged frame
            raise SOPLoadError("Gambar rusak atau terpotong; tidak dapat dibaca.", name) from exc

    return total, pages()


# --- geometry of a page --------------------------------------------------------------


def _odd(n: float) -> int:
    k = max(3, int(n))
    return k if k % 2 else k + 1


def normalise_page(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page scaled to about :data:`RENDER_DPI` (a scan of an A4/F4 page), and the
    pixels per inch it is then taken to have."""
    import cv2

    height, width = gray.shape[:2]
    ppi = max(height, width) / 11.69  # the long side of an A4 page, in inches
    if ppi < 0.8 * RENDER_DPI:
        factor = min(RENDER_DPI / ppi, 3.0)
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        ppi *= factor
    return gray, max(ppi, 1.0)


def binarise(gray: np.ndarray, ppi: float) -> np.ndarray:
    """Ink as 255 on 0 (adaptive threshold, so an uneven scan keeps its thin lines)."""
    import cv2

    smooth = cv2.medianBlur(gray, 3)
    return cv2.adaptiveThreshold(
        smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, _odd(ppi / 10), 15
    )


def estimate_skew(ink: np.ndarray, ppi: float) -> float | None:
    """The page's skew in degrees (positive: counter-clockwise), from its long ruled
    lines, else from the ink's ``minAreaRect``; None on an empty page."""
    import cv2

    small = cv2.resize(ink, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    small = (small > 40).astype(np.uint8) * 255
    min_len = max(20, int(small.shape[1] * 0.25))
    lines = cv2.HoughLinesP(
        small, 1, math.pi / 1800, threshold=min_len, minLineLength=min_len, maxLineGap=3
    )
    angles: list[tuple[float, float]] = []
    for x1, y1, x2, y2 in lines[:, 0] if lines is not None else []:
        angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        if abs(angle) <= 30:
            angles.append((angle, math.hypot(x2 - x1, y2 - y1)))
    if angles:
        angles.sort()
        total = sum(w for _, w in angles)
        acc = 0.0
        for angle, weight in angles:  # the length-weighted median
            acc += weight
            if acc >= total / 2:
                return -angle
    points = cv2.findNonZero(small)
    if points is None or len(points) < 50:
        return None
    (_, _), (w, h), angle = cv2.minAreaRect(points)
    if w < h:
        angle -= 90
    while angle > 45:
        angle -= 90
    while angle < -45:
        angle += 90
    return -angle


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The image turned by ``degrees`` counter-clockwise, white where the page ends."""
    import cv2

    height, width = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(255,))


@dataclass
class Grid:
    """A table found on the page: its ruled lines and its (merged) cells.

    ``cells`` maps each cell's top-left grid position (row, col) to its grid
    span (row0, col0, row1, col1), ``row1``/``col1`` exclusive.
    """

    xs: list[int]
    ys: list[int]
    cells: dict[tuple[int, int], tuple[int, int, int, int]]
    owner: dict[tuple[int, int], tuple[int, int]]  # grid position -> its cell's top-left

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def box(self, key: tuple[int, int]) -> tuple[int, int, int, int]:
        r0, c0, r1, c1 = self.cells[key]
        return self.xs[c0], self.ys[r0], self.xs[c1], self.ys[r1]

    def locate(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell (its top-left position) a point lies in, or None outside the table."""
        if not (self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]):
            return None
        col = bisect.bisect_right(self.xs, x) - 1
        row = bisect.bisect_right(self.ys, y) - 1
        return self.owner.get((row, col))


def _runs(profile: np.ndarray, min_value: float, gap: int = 2) -> list[tuple[int, int]]:
    """Runs [start, end) of positions where ``profile`` is positive, joined over small gaps,
    kept where the run's largest value reaches ``min_value``."""
    positions = np.flatnonzero(profile > 0)
    runs: list[tuple[int, int]] = []
    start = prev = -10
    for p in positions.tolist():
        if p - prev > gap + 1:
            if prev >= 0:
                runs.append((start, prev + 1))
            start = p
        prev = p
    if prev >= 0:
        runs.append((start, prev + 1))
    return [(a, b) for a, b in runs if profile[a:b].max() >= min_value]


def line_masks(ink: np.ndarray, ppi: float) -> tuple[np.ndarray, np.ndarray]:
    """The long horizontal and vertical strokes of the page (ruled lines)."""
    import cv2

    def kernel(w: int, h: int) -> np.ndarray:
        return cv2.getStructuringElement(cv2.MORPH_RECT, (max(1, w), max(1, h)))

    # close breaks of a pixel or two in thin lines (noise, blur), not the gaps between letters
    gap = max(2, int(ppi / 120))
    horizontal = cv2.morphologyEx(
        cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel(gap, 1)),
        cv2.MORPH_OPEN,
        kernel(int(ppi * 0.5), 1),
    )
    vertical = cv2.morphologyEx(
        cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel(1, gap)),
        cv2.MORPH_OPEN,
        kernel(1, int(ppi * 0.25)),
    )
    # a ruled line is thin: drop runs of blurred text thicker than one
    thick = max(3, int(ppi / 25))
    horizontal[
        cv2.dilate(cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, kernel(1, thick)), kernel(3, 3)) > 0
    ] = 0
    vertical[
        cv2.dilate(cv2.morphologyEx(vertical, cv2.MORPH_OPEN, kernel(thick, 1)), kernel(3, 3)) > 0
    ] = 0
    return horizontal, vertical


def find_grids(ink: np.ndarray, ppi: float) -> tuple[list[Grid], np.ndarray]:
    """The page's tables, top to bottom, and the mask of their ruled lines."""
    import cv2

    horizontal, vertical = line_masks(ink, ppi)
    lines = cv2.bitwise_or(horizontal, vertical)
    joined = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    short_h = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(ppi / 20)), 1))
    )
    short_v = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(ppi / 30))))
    )
    grids = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < ppi * 1.0 or h < ppi * 0.08:
            continue
        grid = _grid_in(horizontal, vertical, short_h, short_v, (x, y, w, h), ppi)
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: g.ys[0])
    return grids, lines


def _spans(mask: np.ndarray, cuts: list[int], at: int, thick: int, axis: int) -> bool:
    """Whether the line at ``at`` (a column ``axis=0``, a row ``axis=1``) covers most of
    the span between two neighbouring ``cuts`` (the lines across it)."""
    for a, b in zip(cuts, cuts[1:], strict=False):
        if axis == 0:
            strip = mask[a + thick : b - thick, max(0, at - 2 * thick) : at + 2 * thick + 1]
            covered = strip.any(axis=1)
        else:
            strip = mask[max(0, at - 2 * thick) : at + 2 * thick + 1, a + thick : b - thick]
            covered = strip.any(axis=0)
        if covered.size and covered.mean() >= 0.85:
            return True
    return False


def _grid_in(
    horizontal: np.ndarray,
    vertical: np.ndarray,
    short_h: np.ndarray,
    short_v: np.ndarray,
    box: tuple[int, int, int, int],
    ppi: float,
) -> Grid | None:
    x, y, w, h = box
    hs = horizontal[y : y + h, x : x + w] > 0
    vs = vertical[y : y + h, x : x + w] > 0
    # a ruled line at a height: the columns it covers (over its thickness)
    h_rows = _runs(hs.sum(axis=1), 1)
    ys = [
        y + (a + b) // 2 for a, b in h_rows if hs[a:b].any(axis=0).sum() >= max(0.2 * w, ppi * 0.5)
    ]
    v_cols = _runs(vs.sum(axis=0), 1)
    xs = [x + (a + b) // 2 for a, b in v_cols if vs[:, a:b].any(axis=1).sum() >= ppi * 0.1]
    thick = max(2, int(ppi / 60))
    # a border spans a whole row (or column) of the grid somewhere; a stroke of text does not
    xs = [cx for cx in xs if _spans(vertical, ys, cx, thick, axis=0)]
    ys = [cy for cy in ys if _spans(horizontal, xs, cy, thick, axis=1)]
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(k: tuple[int, int]) -> tuple[int, int]:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(n_rows):
        top, bottom = ys[r] + thick, ys[r + 1] - thick
        for c in range(1, n_cols):  # the border left of column c, in row r
            strip = short_v[top:bottom, xs[c] - thick - 2 : xs[c] + thick + 3]
            if bottom <= top or strip.size == 0 or strip.any(axis=1).mean() < 0.6:
                union((r, c - 1), (r, c))
    for r in range(1, n_rows):
        for c in range(n_cols):  # the border above row r, in column c
            left, right = xs[c] + thick, xs[c + 1] - thick
            strip = short_h[ys[r] - thick - 2 : ys[r] + thick + 3, left:right]
            if right <= left or strip.size == 0 or strip.any(axis=0).mean() < 0.6:
                union((r - 1, c), (r, c))
    spans: dict[tuple[int, int], list[int]] = {}
    for (r, c), _ in parent.items():
        root = find((r, c))
        span = spans.setdefault(root, [r, c, r + 1, c + 1])
        span[0], span[1] = min(span[0], r), min(span[1], c)
        span[2], span[3] = max(span[2], r + 1), max(span[3], c + 1)
    cells: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for root, (r0, c0, r1, c1) in spans.items():
        cells[(r0, c0)] = (r0, c0, r1, c1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if find((r, c)) == root:
                    owner[(r, c)] = (r0, c0)
    return Grid(xs, ys, cells, owner)


# --- flowchart symbols ---------------------------------------------------------------


def symbol_in(ink: np.ndarray, ppi: float) -> tuple[str, np.ndarray] | None:
    """The flowchart symbol drawn in a cell's image (ink 255), and the hole its outline
    encloses (a contour), or None.

    A symbol is a closed outline: the hole it encloses, the size of a symbol
    (wider than tall, at least a tenth of an inch), tells its kind by how much
    of the hole's bounding box it fills: a rectangle fills it, a rounded box or
    an oval about 80-90 %, a diamond half. Arrows and text enclose no such hole.
    """
    import cv2

    if ink.size == 0:
        return None
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, hierarchy = cv2.findContours(closed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return None
    best: tuple[float, str, np.ndarray] | None = None
    height, width = ink.shape[:2]
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0:
            continue  # an outer boundary, not a hole
        x, y, w, h = cv2.boundingRect(contour)
        if not (ppi * 0.1 <= w <= ppi * 1.2 and ppi * 0.06 <= h <= ppi * 0.8):
            continue
        if w > 0.85 * width and h > 0.6 * height:
            continue  # the cell itself
        if not 0.8 <= w / h <= 5:
            continue
        # a hole reaching the cell's side border is closed by the borders and a word
        # touching them, not by a symbol (a symbol may fill the row's height, not its width)
        near = 2 * max(2, int(ppi / 60)) + 3
        if x <= near or x + w >= width - near:
            continue
        area = cv2.contourArea(contour)
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [contour - np.array([x, y])], -1, 255, thickness=-1)
        if (closed[y : y + h, x : x + w][inside > 0] > 0).sum() > 0.2 * max(area, 1.0):
            continue  # full of ink: text, not an outline
        fill = area / float(w * h)
        # a rectangle fills its box's corners; a rounded box or an oval leaves them open
        side = max(2, int(0.2 * min(w, h)))
        corners = (
            float(
                inside[:side, :side].mean()
                + inside[:side, -side:].mean()
                + inside[-side:, :side].mean()
                + inside[-side:, -side:].mean()
            )
            / 4
            / 255
        )
        if corners >= 0.75 and fill >= 0.8:
            mark = PROCESS
        elif fill >= 0.7:
            mark = TERMINATOR
        elif fill >= 0.35:
            mark = DECISION
        else:
            continue
        if best is None or area > best[0]:
            best = (area, mark, contour)
    return (best[1], best[2]) if best else None


def _erase_outline(image: np.ndarray, hole: np.ndarray, ppi: float) -> None:
    """Erase a symbol's outline around its hole from an ink image (a label inside stays)."""
    import cv2

    x, y, w, h = cv2.boundingRect(hole)
    pad = max(3, int(ppi / 40))
    inside: np.ndarray = np.zeros(image.shape[:2], np.uint8)
    cv2.drawContours(inside, [hole], -1, 255, thickness=-1)
    inside = cv2.erode(inside, np.ones((2 * pad + 1, 2 * pad + 1), np.uint8))
    y0, x0 = max(0, y - pad), max(0, x - pad)
    y1, x1 = y + h + pad, x + w + pad
    region = image[y0:y1, x0:x1]
    region[inside[y0:y1, x0:x1] == 0] = 0


def _without_specks(ink: np.ndarray, ppi: float) -> np.ndarray:
    """The ink without scanner noise: specks smaller than a full stop, and small blots
    with no letter near them (a full stop or a comma sits beside its word)."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    tall = stats[:, cv2.CC_STAT_HEIGHT]
    speck = area < max(4, int((ppi / 100) ** 2 * 1.6))
    small = (area < (ppi / 100) ** 2 * 8) & (tall < ppi * 0.05)
    speck[0] = small[0] = False
    letters = (~small & ~speck)[labels] & (labels > 0)
    near = cv2.dilate(letters.astype(np.uint8), np.ones((int(ppi / 25), int(ppi / 25)), np.uint8))
    beside = np.zeros(count, bool)
    beside[np.unique(labels[(near > 0) & small[labels]])] = True
    drop = speck | (small & ~beside)
    return np.where(drop[labels], 0, ink).astype(np.uint8)


# --- words into cells -----------------------------------------------------------------


def _lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines by their vertical middle, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.cy):
        if lines:
            line = lines[-1]
            middle = sum(w.cy for w in line) / len(line)
            size = sorted(w.height for w in line)[len(line) // 2]
            if abs(word.cy - middle) <= 0.5 * max(size, word.height):
                line.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def cell_text(words: list[Word], box: tuple[int, int, int, int], ppi: float) -> str:
    """A cell's text from its words, wrapped lines joined as in a PDF cell."""
    from sopdata.ingest.pdf import reflow_lines

    pt = 72.0 / ppi
    lines = [
        [
            {
                "text": w.text,
                "x0": w.left * pt,
                "x1": (w.left + w.width) * pt,
                "top": w.top * pt,
                "bottom": (w.top + w.height) * pt,
            }
            for w in line
        ]
        for line in _lines_of(words)
    ]
    return reflow_lines(lines, (box[0] * pt, box[1] * pt, box[2] * pt, box[3] * pt))


def _is_noise(word: Word) -> bool:
    """A speck or a leftover of a ruled line read as a word: punctuation only, or a
    short word Tesseract itself hardly believes."""
    if not any(ch.isalnum() for ch in word.text):
        return word.conf < 60 or len(word.text) < 2
    size = len(word.text)
    if word.text.isdigit():
        return 0 <= word.conf < 25 and size <= 2
    return 0 <= word.conf < (50 if size <= 2 else 30) and size <= 3


@dataclass
class PageTable:
    top: int
    rows: list[Row]
    confidences: dict[tuple[int, int], tuple[float, str]]  # (row, col) -> (mean conf, text)


@dataclass
class PageRead:
    """What one page gave: text lines and tables in reading order, and its plain text."""

    items: list[tuple[int, int, Any]]  # (top, 0, line text) or (top, 1, PageTable)
    text: str
    words: int


def read_page(
    command: str, gray: np.ndarray, name: str, number: int, timeout_s: float = PAGE_TIMEOUT_S
) -> PageRead:
    """One page image: straightened, its tables rebuilt, its words read and placed.

    Raises:
        SOPLoadError: the page is too askew to read, or Tesseract fails.
    """
    import cv2

    gray, ppi = normalise_page(gray)
    ink = binarise(gray, ppi)
    skew = estimate_skew(ink, ppi)
    if skew is not None and abs(skew) > MAX_SKEW_DEG:
        raise PageTooSkewed(
            f"Halaman {number} terlalu miring ({abs(skew):.0f}°) untuk dibaca; pindai ulang "
            f"dengan kertas lurus (kemiringan paling banyak {MAX_SKEW_DEG:.0f}°).",
            name,
        )
    if skew is not None and abs(skew) > 0.05:
        gray = rotate(gray, -skew)
        ink = binarise(gray, ppi)
    grids, lines = find_grids(ink, ppi)
    clean = ink.copy()  # what Tesseract reads: the ink without lines, symbols, specks
    thick = max(2, int(ppi / 60))
    clean[cv2.dilate(lines, np.ones((2 * thick + 1, 2 * thick + 1), np.uint8)) > 0] = 0
    symbols: dict[int, dict[tuple[int, int], str]] = {}  # table -> cell -> mark
    for g, grid in enumerate(grids):
        for key in grid.cells:
            x0, y0, x1, y1 = grid.box(key)
            # the cell with its borders: a symbol may touch them
            left, top = max(0, x0 - thick - 1), max(0, y0 - thick - 1)
            found = symbol_in(ink[top : y1 + thick + 2, left : x1 + thick + 2], ppi)
            if found is None:
                continue
            mark, hole = found
            symbols.setdefault(g, {})[key] = mark
            _erase_outline(clean, hole + np.array([left, top]), ppi)
    clean = _without_specks(clean, ppi)
    blank = not _has_letter(clean > 0, ppi)
    clean = 255 - clean
    words = [] if blank else run_tesseract(command, clean, timeout_s, name)
    words = [w for w in words if not _is_noise(w)]
    in_cells: list[dict[tuple[int, int], list[Word]]] = [{} for _ in grids]
    outside: dict[tuple[int, int, int, int], list[Word]] = {}
    for word in words:
        for g, grid in enumerate(grids):
            where = grid.locate(word.cx, word.cy)
            if where is not None:
                in_cells[g].setdefault(where, []).append(word)
                break
        else:
            outside.setdefault(word.line, []).append(word)
    # cells with ink but no word (a lone step number the page pass missed): read again,
    # cut out and stacked into one strip
    missed = [
        (g, key, grid.box(key))
        for g, grid in enumerate(grids)
        for key in grid.cells
        if key not in in_cells[g] and key not in symbols.get(g, {})
    ]
    for (g, key), again in _read_cells(command, clean, missed, ppi, timeout_s, name).items():
        in_cells[g][key] = again
    items: list[tuple[int, int, Any]] = []
    for line_words in outside.values():
        for line in _lines_of(line_words):
            items.append((min(w.top for w in line), 0, " ".join(w.text for w in line)))
    for g, grid in enumerate(grids):
        rows: list[Row] = [[""] * (len(grid.xs) - 1) for _ in range(len(grid.ys) - 1)]
        confidences: dict[tuple[int, int], tuple[float, str]] = {}
        marks = symbols.get(g, {})
        for key in grid.cells:
            cell_words = in_cells[g].get(key, [])
            text = tidy_cells(cell_text(cell_words, grid.box(key), ppi)) if cell_words else ""
            if not text and key in marks:
                text = marks[key]
            rows[key[0]][key[1]] = text
            scored = [w.conf for w in cell_words if w.conf >= 0]
            if scored and text:
                confidences[key] = (sum(scored) / len(scored), text)
        _number_columns(rows)
        items.append((grid.ys[0], 1, PageTable(grid.ys[0], rows, confidences)))
    items.sort(key=lambda item: (item[0], item[1]))
    by_line: dict[tuple[int, int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    text = "\n".join(
        " ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in by_line.values()
    )
    return PageRead(items, text, len(words))


#: Cells read again one by one per page at most.
MAX_CELLS_AGAIN = 60


def _read_cells(
    command: str,
    clean: np.ndarray,
    cells: list[tuple[int, tuple[int, int], tuple[int, int, int, int]]],
    ppi: float,
    timeout_s: float,
    name: str,
) -> dict[tuple[int, tuple[int, int]], list[Word]]:
    """The words of cells read again: those with ink are cut out (inside their borders),
    stacked into one strip with white between them and read in one Tesseract pass;
    each word goes back to its cell, in page coordinates."""
    thick = max(2, int(ppi / 60))
    inset = 2 * thick + 2
    gap = int(ppi * 0.15)
    pieces = []
    for g, key, (x0, y0, x1, y1) in cells:
        crop = clean[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
        if crop.size == 0 or not _has_letter(crop < 128, ppi):
            continue
        pieces.append(((g, key), (x0 + inset, y0 + inset), crop))
        if len(pieces) >= MAX_CELLS_AGAIN:
            break
    if not pieces:
        return {}
    width = max(p[2].shape[1] for p in pieces) + 2 * gap
    height = sum(p[2].shape[0] + gap for p in pieces) + gap
    strip = np.full((height, width), 255, np.uint8)
    places = []
    y = gap
    for where, origin, crop in pieces:
        strip[y : y + crop.shape[0], gap : gap + crop.shape[1]] = crop
        places.append((y, y + crop.shape[0], where, origin))
        y += crop.shape[0] + gap
    found: dict[tuple[int, tuple[int, int]], list[Word]] = {}
    for word in run_tesseract(command, strip, timeout_s, name):
        if _is_noise(word):
            continue
        for top, bottom, where, (ox, oy) in places:
            if top <= word.cy < bottom:
                word.left += ox - gap
                word.top += oy - top
                found.setdefault(where, []).append(word)
                break
    return found


def _number_columns(rows: list[Row]) -> None:
    """The row numbering a step table's columns (1, 2, 3 ...) made whole where most of
    its cells read as their number and a few were misread."""
    for row in rows:
        if len(row) < 4:
            return
        hits = sum(cell.strip(" .") == str(c + 1) for c, cell in enumerate(row))
        if hits >= max(3, 0.6 * len(row)):
            row[:] = [str(c + 1) for c in range(len(row))]
            return


def _has_letter(ink: np.ndarray, ppi: float) -> bool:
    """Whether some blot of ink is as tall as a digit of small print."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    return bool(count > 1 and stats[1:, cv2.CC_STAT_HEIGHT].max() >= ppi * 0.06)


def tidy_cells(text: str) -> str:
    return "\n".join(x for x in (tidy_line(line) for line in text.split("\n")) if x)


class PageTooSkewed(SOPLoadError):
    """A page more askew than :data:`MAX_SKEW_DEG`."""


# --- the document ---------------------------------------------------------------------

_STEP_NO = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")
_HEADER_KEGIATAN = re.compile(
    r"^\W*(?:(?:uraian|rincian|tahapan|langkah)\s+)?(?:kegiatan|aktivitas|prosedur)\W*$|^\W*uraian\W*$",
    re.I,
)


def _continues(last: Row, first: Row) -> bool:
    return len(last) == len(first) and not first[0] and any(first[1:]) and any(last)


def _is_header(row: Row) -> bool:
    """A step table's header row: a cell that says Kegiatan (Uraian Kegiatan ...)."""
    return any(_HEADER_KEGIATAN.match(canonical_labels(c)) for c in row)


def _column_labels(rows: list[Row]) -> dict[int, str]:
    """Columns' names from a step table's header rows (the lower row wins: the actors
    under Pelaksana, Kelengkapan/Waktu/Output under Mutu Baku)."""
    labels: dict[int, str] = {}
    for row in rows:
        if labels and (not row or _step_number(row[0]) is not None):
            break
        if _is_header(row) or labels:
            for c, text in enumerate(row):
                label = " ".join(re.sub(r"[^\w/()]+$", "", text).split())
                if label and not label.isdigit():
                    labels[c] = label
    return labels


_UNITS = ("menit", "mnt", "jam", "hari", "hr", "minggu", "bulan", "bln", "tahun", "detik")
_DURATION = re.compile(r"^\s*([0-9lIOoS$|]{1,3})\s*([A-Za-z!]{2,7})\s*[.:,;]?\s*$")
_STEP_LOOKALIKES = str.maketrans(
    {
        "l": "1",
        "I": "1",
        "|": "1",
        "O": "0",
        "o": "0",
        "S": "5",
        "s": "5",
        "Z": "2",
        "z": "2",
        "B": "8",
    }
)
_DIGIT_LOOKALIKES = str.maketrans(
    {"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "$": "5"}
)


def fix_duration(text: str) -> str:
    """A Waktu cell as OCR misreads it ("5 han", "Shari", "1 bin", "l jam") set right:
    the number's look-alike letters made digits, the unit the closest known one.
    Anything else is left as read."""
    import difflib

    match = _DURATION.match(text)
    if not match:
        return text
    number, unit = match.group(1).translate(_DIGIT_LOOKALIKES), match.group(2)
    if not number.isdigit():
        return text
    # the letters OCR confuses: "ri" read as "n", "m" as "rn", "l" as "i" or "1"
    lower = unit.lower().replace("!", "l")
    variants = {lower, lower.replace("rn", "m"), lower.replace("n", "ri"), lower.replace("i", "l")}
    scored = [(difflib.SequenceMatcher(None, v, u).ratio(), u) for v in variants for u in _UNITS]
    ratio, word = max(scored)
    if ratio < 0.5:
        return text
    if unit[:1].isupper():
        word = word.capitalize()
    return f"{number} {word}"


def _step_number(cell: str) -> int | None:
    """A step-number cell as OCR reads it ("“3", "S", "z.") as a number, or None."""
    raw = re.sub(r"[^0-9A-Za-z]", "", cell)
    digits = raw.translate(_STEP_LOOKALIKES)
    return int(digits) if raw and len(raw) <= 3 and digits.isdigit() else None


def _tidy_step_rows(rows: list[Row], labels: dict[int, str], previous: int = 0) -> int:
    """Step rows as OCR leaves them, tidied: step numbers without stray marks ("“3" → "3"),
    a misread one put back in the sequence when its neighbours agree (1, 2, "z", 4 and
    7, "83" at the end), Waktu through :func:`fix_duration`.

    Args:
        previous: the last step number of the table this one goes on from (0: none).

    Returns:
        The last step number.
    """
    waktu = {c for c, label in labels.items() if re.match(r"\W*(lama\s+)?waktu", label, re.I)}
    steps = [row for row in rows if row and re.fullmatch(r"\W*\w{1,3}\W*", row[0])]
    for c in range(len(rows[0]) if rows else 0):  # a column that reads as durations
        cells = [row[c] for row in steps if c < len(row) and row[c]]
        durations = sum(fix_duration(cell) != cell or bool(_DURATION.match(cell)) for cell in cells)
        if cells and durations >= max(2, 0.6 * len(cells)):
            waktu.add(c)
    for i, row in enumerate(rows):
        if not row or not row[0].strip():
            continue
        if _is_header(row) or row[:3] == ["1", "2", "3"]:
            previous = 0  # a header, or the row numbering the columns
            continue
        number = _step_number(row[0])
        if number is None and not re.fullmatch(r"\W*\w{1,3}\W*", row[0]):
            continue
        if previous and number != previous + 1 and any(row[1:]):
            after = next((_step_number(r[0]) for r in rows[i + 1 :] if r and r[0].strip()), None)
            if number is None or after == previous + 2 or (after is None and i == len(rows) - 1):
                number = previous + 1
        if number is None:
            continue
        row[0] = str(number)
        previous = number
        for c in waktu:
            if c < len(row):
                row[c] = fix_duration(row[c])
    return previous


def _low_confidence(table: PageTable, labels: dict[int, str]) -> list[LowConfidenceCell]:
    found = []
    for (r, c), (conf, text) in sorted(table.confidences.items()):
        if conf >= LOW_CONFIDENCE or sum(ch.isalnum() for ch in text) < 2:
            continue
        row = table.rows[r]
        number = _STEP_NO.match(row[0]) if row else None
        if number and c > 0 and labels:
            column = labels.get(c, f"kolom {c + 1}")
            found.append(LowConfidenceCell(text, conf, number.group(1), column, row=r))
        else:
            found.append(LowConfidenceCell(text, conf, row=r))
    return found


def read_scan(
    data: bytes,
    name: str,
    kind: str,
    progress: Progress | None = None,
    max_pages: int | None = None,
    time_budget_s: float | None = None,
) -> ScanDocument:
    """A scanned PDF (``kind="pdf"``) or an image file (``"image"``) read by OCR into rows.

    Raises:
        SOPLoadError: Tesseract missing, the file unreadable, too many pages, every
            page too askew, or no text found on any page.
    """
    max_pages = MAX_PAGES if max_pages is None else max_pages
    time_budget_s = TIME_BUDGET_S if time_budget_s is None else time_budget_s
    total, pages = pdf_page_images(data, name) if kind == "pdf" else image_pages(data, name)
    if total == 0:
        raise SOPLoadError("Berkas tidak berisi halaman.", name)
    command = tesseract_command(name, total)
    if total > max_pages * 3:
        raise SOPLoadError(
            f"Dokumen pindaian ini berisi {total} halaman; OCR hanya membaca sampai "
            f"{max_pages} halaman sekali unggah: pecah dokumen per SOP lalu unggah lagi.",
            name,
        )
    doc = ScanDocument()
    texts: list[str] = []
    skewed: list[PageTooSkewed] = []
    words = 0
    carry: Row | None = None
    labels: dict[int, str] = {}
    last_step = 0
    started = time.monotonic()
    number = 0
    if progress is not None:  # before the first page: "page 1 of n" can be shown at once
        progress(0, min(total, max_pages))
    for number, gray in enumerate(pages, start=1):
        elapsed = time.monotonic() - started
        if number > max_pages or (number > 1 and elapsed > time_budget_s):
            doc.partial = f"hanya {number - 1} dari {total} halaman yang dibaca"
            doc.warnings.append(
                f"Dokumen pindaian berisi {total} halaman; hanya {number - 1} halaman pertama "
                f"yang dibaca OCR (batas {max_pages} halaman / {time_budget_s:.0f} detik): "
                "pecah dokumen per bagian"
            )
            break
        remaining = max(10.0, min(PAGE_TIMEOUT_S, time_budget_s - elapsed + 10.0))
        try:
            page = read_page(command, gray, name, number, timeout_s=remaining)
        except PageTooSkewed as exc:
            skewed.append(exc)
            doc.warnings.append(exc.message[0].lower() + exc.message[1:-1])
            carry = None
            texts.append("")
            continue
        texts.append(page.text)
        words += page.words
        for n, (_, item_kind, payload) in enumerate(page.items):
            if not item_kind:
                doc.add_text(payload)
                carry = None
                continue
            table: PageTable = payload
            rows = table.rows
            # a table without a header row goes on with the previous table's columns
            fresh = any(_is_header(row) for row in rows[:3])
            if fresh:
                labels = _column_labels(rows)
            last_step = _tidy_step_rows(rows, labels, last_step if not fresh else 0)
            low = _low_confidence(table, labels)
            joined = bool(n == 0 and carry is not None and rows and _continues(carry, rows[0]))
            for cell in low:  # its row in doc.rows; a row joined to the one cut by the page break
                if joined:
                    cell.row = len(doc.rows) + cell.row - 1 if cell.row else len(doc.rows) - 2
                else:
                    cell.row += len(doc.rows)
            doc.low_confidence.extend(low)
            if joined and carry is not None:
                for i, part in enumerate(rows.pop(0)):
                    carry[i] = f"{carry[i]} {part}".strip()
            start = len(doc.rows)
            doc.add_table(rows)
            doc.spans.append((start, len(doc.rows)))
            carry = rows[-1] if rows else None
        if progress is not None:
            progress(number, min(total, max_pages))
    doc.pages = len(texts)
    if skewed and len(skewed) == len(texts):
        raise skewed[0]
    if words == 0:
        raise SOPLoadError(
            f"OCR tidak menemukan teks pada {len(texts)} halaman pindaian; periksa kualitas "
            "pindaian (300 dpi, tidak buram, tidak terbalik) lalu unggah lagi.",
            name,
        )
    doc.fallback_text = "\n".join(texts)
    return doc


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def attach_low_confidence(sops: list[SOP], doc: ScanDocument) -> None:
    """Name the cells read with low confidence in the warnings of the SOP they belong to:
    the SOP whose rows hold the cell (an SOP's rows start at its title, or at the start
    of the table its title is in); where the rows tell nothing, the SOP whose text holds
    the cell's, else every SOP."""
    starts = _sop_starts(sops, doc)
    for cell in doc.low_confidence:
        if starts is not None and cell.row >= 0:
            k = max(bisect.bisect_right(starts, cell.row) - 1, 0)
            owners = [sops[k]]
        else:
            owners = [sop for sop in sops if _holds(sop, cell)][:1] or sops
        for sop in owners:
            message = cell.describe()
            if message not in sop.warnings:
                sop.warnings.append(message)


def _sop_starts(sops: list[SOP], doc: ScanDocument) -> list[int] | None:
    """The row where each SOP starts, in order, or None where one is not found."""
    lines = [_flat(" ".join(row)) for row in doc.rows]
    starts: list[int] = []
    at = 0
    for sop in sops:
        title = _flat(sop.title_raw or sop.title)
        row = next((i for i in range(at, len(lines)) if title and title in lines[i]), None)
        if row is None:
            return None
        at = row + 1
        starts.append(next((a for a, b in doc.spans if a <= row < b), row))
    return starts if starts == sorted(starts) else None


def _holds(sop: SOP, cell: LowConfidenceCell) -> bool:
    fields: list[str] = []
    for step in sop.steps:
        if not cell.step or step.no == cell.step:
            fields += [step.activity, step.requirements, step.output, step.note]
            fields += [step.duration.raw, *step.marks.values()]
    if not cell.step:
        fields += [sop.title_raw, sop.number, sop.approved_by, sop.warning]
        fields += [*sop.legal_basis, *sop.qualifications, *sop.related_sops]
        fields += [*sop.equipment, *sop.records, *(a.raw for a in sop.actors)]
    text = _flat(cell.text)
    return any(text and text in _flat(f or "") for f in fields)
