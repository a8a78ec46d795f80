"""What one server process holds: the store, the screening service, the catalogue
of the index it serves, the audit recorder and how callers are authenticated.

One `AppState` per application (`create_app`), kept on `app.state.corridor`.
The catalogue is rebuilt when the screening index changes (a list import or
update): both are swapped as whole objects, so a request sees one or the other,
never a mix, and no request is dropped while the new ones are built.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from corridor import settings as settings_module
from corridor.match.screener import Screener
from corridor.services import audit, catalog, screening, trade
from corridor.trade.evaluate import Evaluator


@dataclass(slots=True)
class AppState:
    engine: Engine
    settings: settings_module.Settings
    auth: bool = True  # False only with `--no-auth` on a loopback address
    home: Path | None = None
    in_flight: int = field(default=0, init=False)  # requests being handled now (limits.BodyLimit counts)
    service: screening.ScreeningService = field(init=False)
    recorder: audit.LoopRecorder = field(init=False)
    _catalog: catalog.Catalog | None = field(default=None, init=False)
    _catalog_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _evaluator: tuple[str, Evaluator] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.service = screening.service_for(self.engine, self.home)
        self.recorder = audit.LoopRecorder(self.engine, self.settings.busy_timeout, lambda: self.in_flight)

    @property
    def ready(self) -> bool:
        return self.service.ready and self._catalog is not None

    def load(self) -> None:
        """Load (or build) the index and its catalogue: the server is ready after."""
        self.screener()

    def refresh(self) -> None:
        """Check the active versions now and build the index for new ones (the old
        index and catalogue serve meanwhile)."""
        self.service.refresh()
        self.screener()

    def screener(self) -> tuple[Screener, catalog.Catalog, dict[str, dict[str, object]]]:
        """The current screener, the catalogue of the same index and its versions."""
        screener, key, versions = self.service.current_with_versions()
        current = self._catalog
        if current is None or current.key != key:
            with self._catalog_lock:
                current = self._catalog
                if current is None or current.key != key:
                    current = catalog.build(self.engine, key)
                    self._catalog = current
        return screener, current, versions

    def catalog(self) -> catalog.Catalog:
        return self.screener()[1]

    def evaluator(self) -> tuple[Evaluator, dict[str, dict[str, object]]]:
        """The trade evaluator over the current index (with the cap ledger), and the
        list versions its party screening uses."""
        screener, current, versions = self.screener()
        made = self._evaluator
        if made is None or made[0] != current.key:
            parties = screening.ScreenerParties(screener, screening.active_programs(self.engine))
            made = (current.key, trade.evaluator(self.engine, parties))
            self._evaluator = made
        return made[1], versions

    def close(self) -> None:
        self.engine.dispose()
