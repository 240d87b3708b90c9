"""Progress bars for the pipeline's ``progress(done, total)`` callbacks.

Every stage that can take long reports its progress the same way: it calls
``progress(done, total)`` (:func:`tomography.simulate.simulate` with operations applied,
:func:`tomography.measure.measure` and ``PauliMPO.sample_bits`` with shots drawn,
:func:`tomography.reconstruct.reconstruct` with sites collected,
:func:`tomography.refine.refine` with iterations done). :class:`ProgressBar` is such a
callable, drawing a tqdm bar on stderr::

    with ProgressBar("reconstruct", "site") as bar:
        result = reconstruct(data, progress=bar)
"""

from __future__ import annotations

import sys

__all__ = ["ProgressBar"]


class ProgressBar:
    """A tqdm bar on stderr fed by ``progress(done, total)`` calls; a context manager.

    The bar is created at the first call (with that call's ``total``), moved to ``done`` at
    every call, and closed (erased) when the ``with`` block ends. It appears only after a
    step has taken one second.

    Parameters
    ----------
    description : str
        Text before the bar, e.g. the stage's name.
    unit : str, default="it"
        What is counted (``"op"``, ``"shot"``, ``"site"``, ...).
    enabled : bool or None, default=None
        None: draw only when stderr is a terminal; True: always; False: never.

    Attributes
    ----------
    done, total : int or None
        The last call's arguments (None before the first call).

    Examples
    --------
    >>> with ProgressBar("simulate", "op", enabled=False) as bar:
    ...     bar(0, 10)
    ...     bar(10, 10)
    >>> bar.done, bar.total
    (10, 10)
    """

    def __init__(self, description: str, unit: str = "it", *, enabled: bool | None = None):
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool or None, not {type(enabled).__name__}")
        self.description, self.unit, self.enabled = str(description), str(unit), enabled
        self.done: int | None = None
        self.total: int | None = None
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = int(done), int(total)
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                desc=self.description,
                unit=self.unit,
                unit_scale=True,
                disable=None if self.enabled is None else not self.enabled,
                delay=1.0,
                leave=False,
                file=sys.stderr,
            )
        elif self._bar.total != self.total:
            self._bar.total = self.total
        self._bar.update(self.done - self._bar.n)

    def close(self) -> None:
        """Close (erase) the bar; later calls start a new one."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"ProgressBar({self.description!r}, {self.unit!r}, enabled={self.enabled!r}): "
            f"{self.done}/{self.total}"
        )
