"""Run the app under gunicorn (the production server), configured from our settings.

Each gunicorn worker builds its own app (and so its own query workers) after the fork;
the master has already prepared the on-disk store they all open read-only.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from ..config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, overrides: dict, settings: Settings) -> None:
        self.overrides = overrides
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "threads": s.threads,
            "worker_class": "gthread",
            # A request never outlives its query's limit; give gunicorn a margin over it.
            "timeout": int(s.query_timeout) + 30,
            "graceful_timeout": 5,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app(self.overrides)


def run_gunicorn(overrides: dict, settings: Settings) -> None:
    _Gunicorn(overrides, settings).run()
