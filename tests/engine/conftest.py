"""Engine tests need no Django: make `keel` importable from src/ when it is not installed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_SRC = Path(__file__).resolve().parents[2] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from hypothesis import HealthCheck, settings  # noqa: E402

# Property tests run on shared, busy CI machines: judge them by their properties, not by how
# long one example took. KEEL_HYPOTHESIS=thorough runs many more examples.
settings.register_profile(
    "keel", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", parent=settings.get_profile("keel"), max_examples=1000)
settings.load_profile("thorough" if os.environ.get("KEEL_HYPOTHESIS") == "thorough" else "keel")
