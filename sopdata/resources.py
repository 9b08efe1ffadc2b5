"""Where the package's data files and the bundled corpus live.

One place, so that moving a module never silently breaks a path to its data.
"""

from __future__ import annotations

from pathlib import Path

#: The ``sopdata`` package folder.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Vocabulary files a reviewer may read and extend (actors, acronyms, actions, thresholds).
DATA_DIR = PACKAGE_DIR / "data"
#: The checkout's root (``app.py``, ``corpus/``).
REPO_ROOT = PACKAGE_DIR.parent
#: The bundled seed corpus the app opens with.
CORPUS_DIR = REPO_ROOT / "corpus"
