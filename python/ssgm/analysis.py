"""Helpers of the analysis queries (SPEC §12) that belong to the Python face only."""

from __future__ import annotations




class Exposures(list):  # type: ignore[type-arg]
    """The list ``Tenant.exposure`` returns: a plain list of ``Exposure`` records that shows
    as a table in a notebook."""

    def _repr_html_(self) -> str:
        from ssgm._core import _exposure_html

        return _exposure_html(list(self))

    def counts(self) -> dict[str, int]:
        """How many users have each status, in R-12.3's order of statuses."""
        order = ["has_access", "disabled", "blocked", "role", "self", "helper", "admin_only"]
        out: dict[str, int] = {s: 0 for s in order}
        for e in self:
            out[e.status] += 1
        return out


