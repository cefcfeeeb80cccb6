"""Properties of the store over any sequence of received files (docs/store.md)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.store import received, submission

from kpixl.domain import Figure
from kpixl.store import Store

KEYS = [("37", "2023-24-Q2"), ("37", "2023-24-Q1"), ("198", "2023-24-Q2"), ("221", "2023-09")]
values = st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=3,
                                          min_value=-10**6, max_value=10**9))
a_file = st.tuples(
    st.booleans(),  # accepted
    st.lists(st.tuples(st.sampled_from(KEYS), values, st.sampled_from(["", "Steady", "=1+1"])), max_size=4),
)


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_file, max_size=8), st.lists(st.integers(min_value=0, max_value=7), max_size=3))
def test_current_figures_are_the_last_accepted_value_per_key(files: list[tuple[bool, list]],
                                                             resent: list[int]) -> None:
    expected: dict[tuple[str, str], Figure] = {}
    with tempfile.TemporaryDirectory() as folder, Store(f"sqlite:///{Path(folder) / 's.sqlite'}") as store:
        order = list(range(len(files))) + [i for i in resent if i < len(files)]  # some files arrive twice
        for index in order:
            accepted, rows = files[index]
            name = f"f{index}"
            figures = [received(name, ind, None if v is None else str(v), period, commentary=c)
                       for (ind, period), v, c in rows]
            first_time = name not in {s.file_hash for s in store.submissions()}
            store.record(submission(name, accepted=accepted), figures)
            if accepted and first_time:
                expected.update({(f.figure.indicator, f.figure.period.slug): f.figure for f in figures})
        current = store.current_figures()
        assert {k: (f.value, f.commentary) for k, f in current.items()} == \
            {k: (f.value, f.commentary) for k, f in expected.items()}
        # Read for some indicators only (a committee's report): exactly those keys, with the same figures.
        assert store.current_figures(["37"]) == {k: f for k, f in current.items() if k[0] == "37"}
        assert store.current_figures([]) == {}
        for indicator in {k[0] for k in KEYS}:
            versions: dict[str, list[int]] = {}
            for h in store.history(indicator):
                versions.setdefault(h.figure.period.slug, []).append(h.version)
            assert all(v == list(range(1, len(v) + 1)) for v in versions.values())


def test_decimal_values_keep_their_spelling() -> None:
    with tempfile.TemporaryDirectory() as folder, Store(f"sqlite:///{Path(folder) / 's.sqlite'}") as store:
        store.record(submission("a"), [received("a", "37", "380018"), received("a", "198", "0.68")])
        current = store.current_figures()
    assert (str(current[("37", "2023-24-Q2")].value), str(current[("198", "2023-24-Q2")].value)) == \
        ("380018", "0.68")
    assert current[("198", "2023-24-Q2")].value == Decimal("0.68")
