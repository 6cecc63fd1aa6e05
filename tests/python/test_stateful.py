"""Properties that hold for every sequence of commands by random actors (hypothesis state
machine): R-10.11 (`check` predicts every outcome and changes nothing), R-8.2 (a refused command changes nothing but the audit log), R-5.6 / R-4.8 (members
of an owner_approval group got there through an owner, an admin or an approved request),
R-7.7 (the provisioning log adds up to the current access) and R-8.4 (replay equals state)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ssgm
from conftest import full_state, state

ROLES = [["global_admin"], ["groups_admin"], ["application_admin"], [], [], []]
KINDS = ["security", "security", "microsoft365", "mail_enabled_security", "distribution"]
POLICIES = ["owner_approval", "owner_approval", "open", "owners_only", None]
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "delegated_group_management": st.booleans(),
        "users_can_create_security_groups": st.booleans(),
        "users_can_create_microsoft365_groups": st.booleans(),
        "self_service_scope": st.sampled_from(["all", "some"]),
        "max_groups_per_user": st.integers(0, 3),
        "max_owners_per_group": st.integers(1, 3),
    },
)
pick = st.integers(min_value=0, max_value=10_000)


class TenantMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.t = ssgm.Tenant("stateful")
        self.users = [self.t.add_user(f"user{i}@contoso.com", roles=r) for i, r in enumerate(ROLES)]
        admin = self.users[0]
        self.t.configure(
            admin,
            delegated_group_management=True,
            users_can_create_security_groups=True,
            users_can_create_microsoft365_groups=True,
        )
        self.resources = [
            self.t.create_resource(admin, "App", kind="application", owners=[self.users[3]]),
            self.t.create_resource(admin, "Site", kind="site", owners=[self.users[4]]),
        ]
        for name, kind, policy, owner in (
            ("Approvals", "security", "owner_approval", 3),
            ("Team approvals", "microsoft365", "owner_approval", 4),
            ("Open", "security", "open", 5),
        ):
            self.t.create_group(admin, name, kind=kind, join_policy=policy, owners=[self.users[owner]])
        self.violations: list[str] = []

    # ----- helpers -----------------------------------------------------------------------------

    def user(self, i: int) -> ssgm.User:
        return self.users[i % len(self.users)]

    def group(self, i: int) -> Optional[ssgm.Group]:
        groups = self.t.groups()
        return groups[i % len(groups)] if groups else None

    def request(self, i: int) -> Optional[ssgm.Request]:
        requests = self.t.requests()
        return requests[i % len(requests)] if requests else None

    def group_admin_ids(self) -> set[str]:
        return {u.id for u in self.t.users() if {"global_admin", "groups_admin"} & set(u.roles)}

    def run(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Runs one command; a refusal must change nothing but the audit log (R-8.2); a success
        must not bring anyone into an owner_approval group by another road (R-5.6, R-4.8)."""
        before = state(self.t)
        groups_before = {g["id"]: g for g in before["groups"]}
        admins_before = self.group_admin_ids()
        audit = len(self.t.audit_log())
        decision = None
        if f.__name__ != "set_enabled":  # seeding is not checkable
            decision = self.t.check(args[0], f.__name__, *args[1:], **kwargs)
            assert len(self.t.audit_log()) == audit and state(self.t) == before
        try:
            result = f(*args, **kwargs)
        except ssgm.SsgmError as e:
            # the dry run predicted this refusal.
            assert decision is None or (decision.allowed, decision.code) == (False, e.code)
            assert state(self.t) == before, f"refused {f.__name__} changed the state"
            log = self.t.audit_log()
            assert len(log) == audit + 1
            assert (log[-1].outcome, log[-1].code) == ("refused", e.code)
            return None
        assert decision is None or (decision.allowed, decision.code) == (True, None)
        self.check_memberships(f.__name__, args, result, groups_before, admins_before)
        return result

    def check_memberships(
        self, command: str, args: tuple[Any, ...], result: Any, before: dict[str, Any], admins: set[str]
    ) -> None:
        actor = args[0].id if command not in ("set_enabled",) and args else None
        for g in self.t.groups():
            old = before.get(g.id)
            if old is None or old["join_policy"] != "owner_approval":
                continue
            for m in set(g.to_dict()["members"]) - set(old["members"]):
                by_owner_or_admin = command == "add_member" and (actor in old["owners"] or actor in admins)
                by_request = (
                    command in ("approve", "request_to_join")
                    and isinstance(result, ssgm.Request)
                    and result.status == "approved"
                    and result.requester.id == m
                    and result.group.id == g.id
                    and (
                        (result.decided_by is not None and (result.decided_by.id in old["owners"] or result.decided_by.id in admins))
                        or (result.reason == "admin" and m in admins)
                    )
                )
                if not (by_owner_or_admin or by_request):
                    self.violations.append(f"{m} entered {g.id} through {command}")

    # ----- rules -----------------------------------------------------------------------------

    @rule(a=pick, kind=st.sampled_from(KINDS), policy=st.sampled_from(POLICIES), members=st.lists(pick, max_size=2))
    def create_group(self, a: int, kind: str, policy: Optional[str], members: list[int]) -> None:
        self.run(self.t.create_group, self.user(a), f"G{len(self.t.events())}", kind=kind, join_policy=policy, members=[self.user(m) for m in members])

    @rule(a=pick, g=pick, policy=st.sampled_from(POLICIES[1:4]))
    def update_group(self, a: int, g: int, policy: str) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.update_group, self.user(a), group, join_policy=policy)

    @rule(a=pick, g=pick)
    def delete_group(self, a: int, g: int) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.delete_group, self.user(a), group)

    @rule(a=pick, g=pick, m=pick, nested=st.booleans())
    def add_member(self, a: int, g: int, m: int, nested: bool) -> None:
        group = self.group(g)
        member = self.group(m) if nested else self.user(m)
        if group is not None and member is not None:
            self.run(self.t.add_member, self.user(a), group, member)

    @rule(g=pick, o=pick, m=pick, remove=st.booleans())
    def owner_manages_members(self, g: int, o: int, m: int, remove: bool) -> None:
        """The likely case: one of the group's owners adds or removes a member."""
        group = self.group(g)
        owners = group.owners if group is not None else []
        if group is not None and owners:
            f = self.t.remove_member if remove else self.t.add_member
            self.run(f, owners[o % len(owners)], group, self.user(m))

    @rule(r=pick, o=pick, approve=st.booleans())
    def owner_decides(self, r: int, o: int, approve: bool) -> None:
        """The likely case: an owner of the request's group decides it."""
        pending = self.t.requests(status="pending")
        request = pending[r % len(pending)] if pending else None
        if request is None or request.group not in self.t.groups():
            return
        owners = request.group.owners
        if owners:
            self.run(self.t.approve if approve else self.t.deny, owners[o % len(owners)], request)

    @rule(a=pick, g=pick, m=pick)
    def remove_member(self, a: int, g: int, m: int) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.remove_member, self.user(a), group, self.user(m))

    @rule(a=pick, g=pick, u=pick, add=st.booleans())
    def owners(self, a: int, g: int, u: int, add: bool) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.add_owner if add else self.t.remove_owner, self.user(a), group, self.user(u))

    @rule(a=pick, g=pick)
    def leave(self, a: int, g: int) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.leave, self.user(a), group)

    @rule(a=pick, g=pick, why=st.sampled_from(["I need it", "please", "", "  "]))
    def request_to_join(self, a: int, g: int, why: str) -> None:
        group = self.group(g)
        if group is not None:
            self.run(self.t.request_to_join, self.user(a), group, why)

    @rule(a=pick, r=pick, how=st.sampled_from(["approve", "deny", "cancel"]))
    def decide(self, a: int, r: int, how: str) -> None:
        request = self.request(r)
        if request is not None:
            self.run(getattr(self.t, how), self.user(a), request)

    @rule(a=pick, values=SETTINGS)
    def configure(self, a: int, values: dict[str, Any]) -> None:
        self.run(self.t.configure, self.user(a), **values)

    @rule(a=pick, r=st.integers(0, 1), p=pick, group=st.booleans(), undo=st.booleans())
    def assign(self, a: int, r: int, p: int, group: bool, undo: bool) -> None:
        principal = self.group(p) if group else self.user(p)
        if principal is not None:
            self.run(self.t.unassign if undo else self.t.assign, self.user(a), self.resources[r], principal)

    @rule(a=pick, r=st.integers(0, 1), u=pick, undo=st.booleans())
    def block(self, a: int, r: int, u: int, undo: bool) -> None:
        self.run(self.t.unblock if undo else self.t.block, self.user(a), self.resources[r], self.user(u))

    @precondition(lambda self: len(self.users) > 1)
    @rule(u=pick, enabled=st.booleans())
    def set_enabled(self, u: int, enabled: bool) -> None:
        self.run(self.t.set_enabled, self.users[1 + u % (len(self.users) - 1)], enabled)

    @rule(minutes=st.integers(0, 600))
    def advance(self, minutes: int) -> None:
        self.t.advance(minutes=minutes)

    # ----- invariants --------------------------------------------------------------------------

    @invariant()
    def only_legitimate_members_in_owner_approval_groups(self) -> None:
        """R-5.6, R-4.8."""
        assert self.violations == []

    @invariant()
    def provisioning_log_adds_up_to_current_access(self) -> None:
        """R-7.7: per (user, resource), provisioned minus deprovisioned is the current access,
        and entries alternate."""
        last: dict[tuple[str, str], str] = {}
        for e in self.t.provisioning_log():
            key = (e.user, e.resource)
            assert last.get(key, "deprovisioned") != e.change, f"{key} {e.change} twice"
            last[key] = e.change
        pairs = [(u, r) for u in self.t.users() for r in self.resources]
        answers = self.t.has_access_many(pairs)
        for (u, r), has in zip(pairs, answers):
            assert (last.get((u.id, r.id)) == "provisioned") == has

    def teardown(self) -> None:
        """R-8.4: the history replays to the identical state."""
        assert full_state(ssgm.Tenant.replay(self.t.events())) == full_state(self.t)


TenantMachine.TestCase.settings = settings(
    max_examples=80,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_r8_2_r5_6_r7_7_r8_4_random_command_sequences = TenantMachine.TestCase
