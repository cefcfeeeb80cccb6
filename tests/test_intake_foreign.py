"""No return can write a figure of another service (issue 7): a return's figures are written only for the
service its metadata names (verified by signature; or, metadata dropped, the one every row belongs to),
and only for that service's indicators and this quarter's periods. Each test tries to break that and then
checks the whole store: every figure of a return belongs to its submission's service."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.cli import dump_store
from support.hostile import META_PART
from support.intake import Filled, edit, make_filled
from support.zips import members_of, rezip

from kpixl.domain import Quarter
from kpixl.domain.figures import Provenance, ReceivedFigure
from kpixl.intake import assess as assess_module
from kpixl.layout.returns import META_SHEET, WorkbookMeta, sign
from kpixl.register import load_register
from kpixl.steps.collect import collect_paths
from kpixl.steps.generate import write_workbooks
from kpixl.steps.workspace import Workspace

Q2 = "2023-24-Q2"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("foreign"))


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))


def assert_every_figure_is_its_services(ws: Workspace) -> None:
    register = load_register(ws.register_path).register
    with ws.open_store() as store:
        for stored in store.figures():
            if stored.submission.source == "return":
                indicator = register.indicator(stored.figure.indicator)
                assert stored.submission.accepted
                assert indicator is not None and indicator.service == stored.submission.service, stored


def collect(ws: Workspace, *paths: Path) -> list[Any]:
    results = collect_paths(ws, list(paths))
    assert_every_figure_is_its_services(ws)
    return results


def test_every_services_metadata_pasted_into_every_other_services_return(made: Filled, ws: Workspace,
                                                                        tmp_path: Path) -> None:
    before = dump_store(ws)["figures"]
    metas = {service: members_of(path.read_bytes())[META_PART] for service, path in made.filled.items()}
    paths = []
    for host, path in made.filled.items():
        for guest, meta in metas.items():
            if guest != host:
                paths.append(tmp_path / f"{guest}-in-{host}.xlsx")
                paths[-1].write_bytes(rezip(path.read_bytes(), replace={META_PART: meta}))
    results = collect(ws, *paths)
    assert len(results) == 42 and not any(r.accepted for r in results)
    assert dump_store(ws)["figures"] == before


def _append_row(values: dict[str, Any]) -> Any:
    def change(sheet: Any) -> None:
        row = sheet.max_row + 1
        for column, value in values.items():
            sheet[f"{column}{row}"].value = value
    return change


def test_a_signed_return_with_another_services_row_added_is_refused(made: Filled, ws: Workspace,
                                                                    tmp_path: Path) -> None:
    before = dump_store(ws)["figures"]
    path = edit(made.copy("libraries", tmp_path), _append_row(
        {"A": "175", "C": "2023/24 Q2", "J": 12, "M": "Coroner figure slipped into the library return."}))
    result = collect(ws, path)[0]
    assert not result.accepted and "ROW_UNKNOWN" in [p.code for p in result.report]
    assert dump_store(ws)["figures"] == before


def test_without_metadata_rows_of_two_services_are_refused(made: Filled, ws: Workspace,
                                                           tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book[META_SHEET]
        _append_row({"A": "175", "C": "2023/24 Q2", "J": 12, "M": "Coroner figure in the library return."})(
            book["Return"])

    result = collect(ws, edit(made.copy("libraries", tmp_path), change, sheet=""))[0]
    assert not result.accepted and result.service == "libraries"
    assert [p.indicator for p in result.report if p.code == "ROW_UNKNOWN"] == ["175"]


def test_metadata_signed_with_the_key_but_listing_another_services_indicator(made: Filled, ws: Workspace,
                                                                             tmp_path: Path) -> None:
    """A forger holding the workspace's key (or a register changed since the workbook was made)."""
    def change(book: Any) -> None:
        meta = book[META_SHEET]
        pairs = {r[0].value: r[1] for r in meta.iter_rows(max_col=2) if r[0].value}
        row = book["Return"].max_row + 1
        meta.append([f"row:{row}", json.dumps([row, "175", Q2, "", "2023-24-Q1", "", "2023-24-Q1"])])
        text = {k: str(c.value) for k, c in pairs.items()} | {f"row:{row}": meta.cell(meta.max_row, 2).value}
        pairs["signature"].value = sign(WorkbookMeta.from_pairs(text), ws.secret)
        coroner = {"A": "175", "C": "2023/24 Q2", "J": 12, "M": "A signed row for the coroner."}
        _append_row(coroner)(book["Return"])

    result = collect(ws, edit(made.copy("libraries", tmp_path), change, sheet=""))[0]
    assert result.verified and not result.accepted
    assert [(p.code, p.indicator) for p in result.report.errors] == [("ROW_UNKNOWN", "175")]


def test_a_refused_wrong_period_file_after_an_accepted_one_writes_nothing(made: Filled, ws: Workspace,
                                                                          tmp_path: Path) -> None:
    assert collect(ws, made.filled["libraries"])[0].accepted
    figures = dump_store(ws)["figures"]
    last_quarter = write_workbooks(ws, Quarter(2023, 1), services=["libraries"], out=tmp_path / "q1")[0].path
    refused = collect(ws, last_quarter)[0]
    assert [p.code for p in refused.report] == ["META_WRONG_PERIOD"]
    with ws.open_store() as store:
        latest = store.latest_submission_by_service(Q2)["libraries"]
    assert (latest.file_name, latest.accepted) == (last_quarter.name, False)  # recorded under this collection
    assert dump_store(ws)["figures"] == figures
    assert collect(ws, made.filled["coroner"])[0].accepted  # and the next service's return is its own
    assert_every_figure_is_its_services(ws)


def test_collect_refuses_a_foreign_figure_even_if_the_reader_let_one_through(
        made: Filled, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader bug simulated: the assessed return carries a figure of Coroner Service's indicator 175."""
    real = assess_module.assess_bytes

    def leaky(ctx: Any, path: Path, data: bytes) -> Any:
        result = real(ctx, path, data)
        figure = result.figures[0].figure
        stray = type(figure)("175", figure.period, figure.value, figure.status, "", "x" * 20, "")
        at = Provenance(result.sha256, result.file_name, "Return", "J9")
        result.figures.append(ReceivedFigure(stray, at))
        return result

    monkeypatch.setattr("kpixl.steps.collect.assess_bytes", leaky)
    before = dump_store(ws)["figures"]
    result = collect(ws, made.filled["libraries"])[0]
    assert not result.accepted
    assert [(p.code, p.cell, p.indicator) for p in result.report.errors] == [("ROW_UNKNOWN", "J9", "175")]
    assert dump_store(ws)["figures"] == before
