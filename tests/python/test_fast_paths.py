"""The fast paths of the hot queries give the same answers as the rules (R-1.4, R-7.3, R-8.6)."""

import pytest

import ssgm


def _tenant():
    t = ssgm.Tenant("fast")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    bob = t.add_user("bob@contoso.com")
    app = t.create_resource(admin, "App")
    t.assign(admin, app, bob)
    return t, admin, bob, app


def test_r1_4_an_import_can_make_a_seen_name_resolve_to_a_new_id():
    """R-1.4: ids resolve before upns, even for a string resolved before as a upn."""
    t, admin, bob, app = _tenant()
    ref = "carol@contoso.com"
    t.add_user(ref)
    assert t.has_access(ref, "App") is False  # resolved (and remembered) as carol's upn
    # A new user whose *id* is that string: it now names the new user (R-1.4: id first).
    t.import_directory({"users": [{"id": ref, "upn": "dave@contoso.com"}]})
    t.assign(admin, "App", t.user(ref))
    assert t.user(ref).upn == "dave@contoso.com"
    assert t.has_access(ref, "App") is True
    assert t.has_access_many([(ref, "App"), ("carol@contoso.com", app)]) == [True, True]


def test_r10_15_handles_of_a_fork_resolve_by_id_and_answers_stay_per_tenant():
    """R-10.15, R-1.4: a handle of the original works on a fork, which answers for itself."""
    t, admin, bob, app = _tenant()
    f = t.fork()
    f.block(admin, app, bob)
    assert t.has_access(bob, app) is True
    assert f.has_access(bob, app) is False
    assert f.has_access_many([(bob, app)]) == [False]


def test_r7_3_who_has_access_returns_equal_handles_each_time():
    """R-7.3, R-10.1: who_has_access reads the current state; handles compare equal."""
    t, admin, bob, app = _tenant()
    first = t.who_has_access(app)
    assert first == [bob]
    carol = t.add_user("carol@contoso.com")
    t.assign(admin, app, carol)
    second = t.who_has_access("App")
    assert second == [bob, carol]
    assert second[0] == first[0] and hash(second[0]) == hash(bob)
    assert [u.upn for u in second] == ["bob@contoso.com", "carol@contoso.com"]
    t.block(admin, app, bob)
    assert t.who_has_access(app) == [carol]


def test_r8_6_unresolved_and_malformed_pairs_after_warm_up():
    """R-8.6: remembered references do not hide a later bad pair."""
    t, admin, bob, app = _tenant()
    assert t.has_access_many([(bob, app), ("bob@contoso.com", "App")]) == [True, True]
    try:
        t.has_access_many([("bob@contoso.com", "App"), ("nobody@contoso.com", "App")])
    except ssgm.NotFound as e:
        assert e.code == "user_not_found"
    else:
        raise AssertionError("expected NotFound")
    try:
        t.has_access_many([("bob@contoso.com", "App"), ("bob@contoso.com",)])
    except TypeError:
        pass
    else:
        raise AssertionError("expected TypeError")


def test_r7_3_who_has_access_answers_are_the_callers_own_lists():
    """R-7.3: a repeated answer is equal, but each call returns a list of its own."""
    t, admin, bob, app = _tenant()
    first = t.who_has_access(app)
    first.clear()
    assert t.who_has_access(app) == [bob]
    # A refused command moves nothing, and the answer stays right.
    try:
        t.block(bob, app, bob)
    except ssgm.PermissionDenied:
        pass
    assert t.who_has_access(app) == [bob]
    t.set_enabled(bob, False)
    assert t.who_has_access(app) == []


def test_r8_6_has_access_many_from_a_generator_of_fresh_objects():
    """R-8.6: pairs whose objects are freed as the iteration goes answer each pair itself."""
    t, admin, bob, app = _tenant()
    other = t.create_resource(admin, "Other")
    carol = t.add_user("carol@contoso.com")
    t.assign(admin, other, carol)
    names = ["bob", "carol"] * 50
    apps = ["App", "Other", "Other", "App"] * 25
    expected = [t.has_access(f"{n}@contoso.com", a) for n, a in zip(names, apps)]
    got = t.has_access_many((f"{n}@contoso.com", str(a)) for n, a in zip(names, apps))
    assert got == expected
    assert got[:4] == [True, True, False, False]


def test_r10_13_deeply_nested_import_data_is_a_type_error_not_a_crash():
    """R-10.13: data nested beyond any sensible shape is refused as a TypeError, recorded nowhere."""
    t, admin, bob, app = _tenant()
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    for data in ({"users": deep}, {"settings": {"x": deep}}, {"report": deep}):
        try:
            t.import_directory(data)
        except TypeError:
            pass
        else:
            raise AssertionError("expected TypeError")
    assert len(t.events()) == 4


def test_r8_6_columns_from_numpy_and_pandas_answer_like_pairs():
    """R-8.6: two equal-length columns (numpy arrays of str, pandas Series) answer as the
    pairs do; numpy arrays in give a numpy bool array out, usable as a mask."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    users = [t.add_user(f"u{i}@c.com") for i in range(6)]
    app = t.create_resource(admin, "App")
    for u in users[::2]:
        t.assign(admin, app, u)
    ids = np.array([u.id for u in users])
    apps = np.full(len(ids), "App")
    got = t.has_access_many(ids, apps)
    assert isinstance(got, np.ndarray) and got.dtype == np.bool_
    expected = t.has_access_many([(u.id, "App") for u in users])
    assert got.tolist() == expected == [True, False, True, False, True, False]
    assert list(ids[got]) == [u.id for u in users[::2]]
    series = t.has_access_many(pd.Series([u.upn for u in users]), pd.Series(["App"] * len(users)))
    assert series == expected and isinstance(series, list)
    # One numpy side is enough for a numpy answer; a mismatch is still a TypeError.
    assert t.has_access_many([u.id for u in users], apps).tolist() == expected
    with pytest.raises(TypeError):
        t.has_access_many(ids, apps[:2])


def test_r7_3_who_has_access_kept_answers_follow_every_change_of_access():
    """R-7.3, R-7.4, R-7.5: a repeated `who_has_access` may be answered from the last answer
    only while who reaches the application is unchanged; after any mix of commands (access
    changing or not, events of the clock included) it equals what `has_access` says of
    every user, in creation order."""
    import random

    rng = random.Random(7)
    t = ssgm.Tenant("epochs")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    t.configure(admin, delegated_group_management=True)
    users = [t.add_user(f"u{i}@c.com") for i in range(12)]
    apps = [t.create_resource(admin, f"App{i}") for i in range(3)]
    site = t.create_resource(admin, "Site", kind="site")
    groups = [t.create_group(admin, f"G{i}", owners=[admin]) for i in range(4)]
    t.assign(admin, apps[0], groups[0])
    t.assign(admin, site, groups[1])
    t.add_member(admin, groups[1], groups[2])

    def truth(r):
        return [u.id for u in [admin, *users] if t.has_access(u, r)]

    for step in range(300):
        u, g, a = rng.choice(users), rng.choice(groups), rng.choice(apps)
        move = rng.randrange(9)
        try:
            if move == 0:
                t.add_member(admin, g, u)
            elif move == 1:
                t.remove_member(admin, g, u)
            elif move == 2:
                t.assign(admin, a, rng.choice([u, g]))
            elif move == 3:
                t.unassign(admin, a, rng.choice([u, g]))
            elif move == 4:
                (t.block if rng.random() < 0.5 else t.unblock)(admin, a, u)
            elif move == 5:
                t.set_enabled(u, rng.random() < 0.6)
            elif move == 6:
                t.update_group(admin, g, description=f"step {step}")  # changes no access
            elif move == 7:
                t.add_member(admin, g, rng.choice([x for x in groups if x != g]))
            else:
                t.advance(days=1)
        except ssgm.SsgmError:
            pass
        for r in [*apps, site]:
            first = [x.id for x in t.who_has_access(r)]
            again = [x.id for x in t.who_has_access(r)]
            assert first == again == truth(r), (step, move, r.name)


def test_r1_4_one_string_object_on_both_sides_of_a_batch_resolves_per_side():
    """R-1.4, R-8.6: within one batch a string object met again resolves as it did, but as a
    user on the user side and as a resource on the resource side: one text can be a upn and
    a resource's name at once."""
    t = ssgm.Tenant("sides")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    both = "x@c.com"
    x = t.add_user(both)
    y = t.add_user("y@c.com")
    res = t.create_resource(admin, both)  # a resource named like the user's upn
    t.assign(admin, res, x)
    pairs = [(both, both), (y, both), (both, res.id)] * 200  # past the batch size that releases the GIL
    assert t.has_access_many(pairs) == [True, False, True] * 200
    assert t.has_access_many([p[0] for p in pairs], [p[1] for p in pairs]) == [True, False, True] * 200
    # Nothing is kept between calls: the next batch reads the changed tenant.
    t.assign(admin, res, y)
    assert t.has_access_many(pairs) == [True, True, True] * 200
