"""`make run`: a laptop demo. Debug on, a generated secret kept under var/."""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)  # `make run` sets DEBUG=1
if not SECRET_KEY:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        os.chmod(_key_file, 0o600)
    SECRET_KEY = _key_file.read_text().strip()
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
