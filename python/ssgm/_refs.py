"""``ssgm.Ref``: what a pickled handle becomes.

A handle (``User``, ``Group``, ``Resource``, ``Request``) is a live view of one object in one
tenant. Pickling it does not copy the tenant: it pickles as a ``Ref``, a ``str`` that *is* the
object's id and also says which object it was (``kind``, ``name``, ``tenant``). A ``Ref`` works
wherever a reference is taken, on any tenant that has the id (the original, its forks, a copy),
and ``ref.resolve(t)`` gives back the live handle::

    >>> import pickle, ssgm
    >>> t = ssgm.Tenant("contoso")
    >>> bob = t.add_user("bob@contoso.com")
    >>> r = pickle.loads(pickle.dumps(bob))
    >>> r
    Ref('user', 'bob@contoso.com', id='u-1')
    >>> r == bob.id, r.resolve(t) == bob
    (True, True)
"""

from __future__ import annotations

from typing import Any, Literal, Optional

Kind = Literal["user", "group", "resource", "request", "review", "package", "policy", "package_request", "package_assignment"]
_KINDS = ("user", "group", "resource", "request", "review", "package", "policy", "package_request", "package_assignment")


class Ref(str):
    """The id of an object (the ``str`` value), with its kind, name and tenant's name."""

    kind: Kind
    name: Optional[str]
    tenant: Optional[str]

    def __new__(cls, id: str, kind: str, name: Optional[str] = None, tenant: Optional[str] = None) -> "Ref":
        if kind not in _KINDS:
            raise ValueError(f"a Ref's kind is one of {', '.join(_KINDS)}, not {kind!r}")
        self = super().__new__(cls, id)
        self.kind = kind  # type: ignore[assignment]
        self.name = name
        self.tenant = tenant
        return self

    @property
    def id(self) -> str:
        """The id, as a plain ``str``."""
        return str.__str__(self)

    def resolve(self, tenant: Any) -> Any:
        """The live handle of this object in ``tenant`` (``NotFound`` if it has no such id)."""
        return getattr(tenant, self.kind)(self.id)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Ref, (self.id, self.kind, self.name, self.tenant))

    def __repr__(self) -> str:
        return f"Ref({self.kind!r}, {self.name!r}, id={self.id!r})"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<code>{escape(self.kind)}</code> {escape(self.name or '')} <small>({escape(self.id)})</small>"
