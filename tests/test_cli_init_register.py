"""kpixl init, kpixl register check/template/export, kpixl indicators: as an officer would run them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kpixl.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_init_example_then_register_check_exits_0(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "demo"), "--example", "cambridgeshire")
    assert code == 0, out
    assert (tmp_path / "demo" / ".kpixl" / "secret").is_file()
    code, out = run("register", "check", "--workspace", str(tmp_path / "demo"))
    assert code == 0, out
    assert "19 indicators, 7 services, 1 committee; 0 errors, 0 warnings." in out


def test_init_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    code, out = run("init", str(tmp_path / "busy"))
    assert code == 2
    assert "is not empty" in out


def test_unknown_example_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "x"), "--example", "atlantis")
    assert (code, "choose one of cambridgeshire" in out) == (2, True)


def test_no_workspace_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("indicators", "--workspace", str(tmp_path))
    assert code == 2
    assert "kpixl init" in out


DAMAGED = """
services:
  - {id: lib, name: Library Service, lead_email: not-an-email}
  - {id: lib, name: Library Service again}
committees:
  - {id: csmi, name: CSMI}
indicators:
  - id: "37"
    title: Visits
    service: lib
    committees: [csmi]
    unit: count
    direction: up
    frequency: quarterly
    comparison: previous_period
    kind: target
    targets: {2023-24-Q2: 475381}
  - id: "37"
    title: Visits again
    service: libraries
    committees: [csmi, audit]
    unit: litres
    direction: up
    frequency: quarterly
    comparison: previous_period
    kind: target
  - id: "179"
    title: Inquests
    service: lib
    committees: [csmi]
    unit: percentage
    direction: none
    frequency: monthly
    comparison: previous_period
    kind: contextual
    targets: {2023-24-Q2: {value: 67, type: target}}
    links: [{label: Annual reports, url: "javascript:alert(1)"}]
"""


def test_damaged_register_lists_every_problem_with_its_place(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"))
    (tmp_path / "ws" / "register.yaml").write_text(DAMAGED)
    code, out = run("register", "check", "--workspace", str(tmp_path / "ws"), "--json")
    assert code == 1
    found = {(p["code"], p["cell"], p["indicator"]) for p in json.loads(out)["problems"]}
    assert found >= {
        ("REG_BAD_CHOICE", "line 22", "37"),  # unit: litres
        ("REG_DUPLICATE_ID", "line 4", ""),  # service lib twice
        ("REG_DUPLICATE_ID", "line 18", "37"),  # indicator 37 twice
        ("REG_UNKNOWN_SERVICE", "line 20", "37"),
        ("REG_UNKNOWN_COMMITTEE", "line 21", "37"),
        ("REG_TARGET_FREQUENCY", "line 36", "179"),  # monthly indicator, quarterly target
        ("REG_TARGET_NOT_RATED", "line 36", "179"),  # a target on a contextual indicator
        ("REG_PERCENT_SCALE", "line 36", "179"),  # 67 for a percentage
        ("REG_BAD_URL", "line 37", "179"),
        ("REG_BAD_EMAIL", "line 3", ""),
    }
    assert not [f for f in found if f[1] == "line 11"], "the first indicator 37 is fine: no problem there"


SQUARED_YAML = """
services:
  - {id: libraries, name: Library Service, lead_email: libraries.lead@example.org}
committees:
  - {id: csmi, name: CSMI}
indicators:
  - {id: "36", title: Visits, service: libraries, committees: [csmi], unit: count, direction: up,
     frequency: quarterly, comparison: previous_period, kind: contextual}
  - {id: "3\u00b2", title: Squared, service: libraries, committees: [csmi], unit: count, direction: up,
     frequency: quarterly, comparison: previous_period, kind: contextual}
"""


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_an_indicator_id_with_a_digit_that_is_not_0_to_9_is_a_problem_at_its_cell(tmp_path: Path,
                                                                                  suffix: str) -> None:
    """"3²": "²".isdigit() is True and int() refuses it; this once ended `register check` in a traceback."""
    from kpixl.register import load_register
    from kpixl.workbook.register_book import write_register_workbook

    path = tmp_path / "register.yaml"
    path.write_text(SQUARED_YAML, encoding="utf-8")
    if suffix == ".xlsx":
        write_register_workbook(tmp_path / "register.xlsx", load_register(path).register)
        path = tmp_path / "register.xlsx"
    result = runner.invoke(app, ["register", "check", str(path), "--json"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [found] = json.loads(result.output)["problems"]
    assert (found["code"], found["indicator"]) == ("REG_ID_DIGIT", "3\u00b2")
    if suffix == ".yaml":
        assert (found["sheet"], found["cell"]) == ("Indicators", "line 9")
    else:
        sheet = openpyxl.load_workbook(path)["Indicators"]
        assert (found["sheet"], sheet[found["cell"]].value) == ("Indicators", "3\u00b2")


@pytest.mark.parametrize("command", [
    ("workbooks", "2023-24-Q2"), ("send", "2023-24-Q2", "--drafts", "{ws}/drafts"), ("validate", "{ws}/returns"),
    ("collect", "{ws}/returns"), ("report", "2023-24-Q2"), ("register", "export", "{ws}/copy.yaml"),
])
def test_a_register_with_errors_stops_every_step_that_uses_it_with_one_message(tmp_path: Path,
                                                                               command: tuple[str, ...]) -> None:
    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    register = tmp_path / "ws" / "register.yaml"
    register.write_text(register.read_text().replace("unit: count", "unit: litres", 1))
    (tmp_path / "ws" / "returns" / "r.xlsx").write_bytes(b"")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, out = run(*(arg.format(ws=tmp_path / "ws") for arg in command), "--workspace", str(tmp_path / "ws"))
    assert code == 1, out
    assert ("Error: The register register.yaml has 1 error: run 'kpixl register check' and correct them "
            "first.") in " ".join(out.split())
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written


def test_register_template_writes_a_workbook(tmp_path: Path) -> None:
    code, out = run("register", "template", str(tmp_path / "register.xlsx"))
    assert code == 0, out
    assert (tmp_path / "register.xlsx").stat().st_size > 0


def test_register_template_never_writes_over_a_file(tmp_path: Path) -> None:
    filled = tmp_path / "register.xlsx"
    filled.write_bytes(b"the register someone filled in")
    code, out = run("register", "template", str(filled))
    assert code == 2 and "already exists" in out
    assert filled.read_bytes() == b"the register someone filled in"


def test_register_export_to_yaml_reads_back_the_same(tmp_path: Path) -> None:
    from kpixl.register import load_register

    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    code, out = run("register", "export", str(tmp_path / "copy.yaml"), "--workspace", str(tmp_path / "ws"))
    assert code == 0, out
    original = load_register(tmp_path / "ws" / "register.yaml").register
    copy = load_register(tmp_path / "copy.yaml")
    assert copy.report.valid
    assert copy.register == original


SEED_RATINGS = {  # indicator: (RAG, change) the seed prints or DOMAIN.md pins
    "37": ("Red", "Improving"), "136": (None, "Declining"), "174": ("In Development", "Unchanged"),
    "175": (None, "N/A"), "179": ("Contextual", "N/A"), "197": ("Contextual", "Declining"),
    "198": ("Amber", "Unchanged"), "199": ("Contextual", "Improving"), "219": ("Blue", "Improving"),
    "220": ("Amber", "Improving"), "221": ("Green", "Declining"), "222": ("Red", "Declining"),
}
STATE_WORDS = {"Red": "red", "Amber": "amber", "Green": "green", "Blue": "blue", "Contextual": "contextual",
               "In Development": "in_development", "Improving": "improving", "Declining": "declining",
               "Unchanged": "unchanged", "N/A": "not_applicable"}


def test_indicators_json_matches_the_seed(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    code, out = run("indicators", "2023-24-Q2", "--committee", "csmi", "--json", "--workspace", str(tmp_path / "ws"))
    assert code == 0, out
    rows = {r["indicator"]: r for r in json.loads(out)["indicators"]}
    assert len(rows) == 19
    for indicator, (rag, change) in SEED_RATINGS.items():  # stable words, and the report's words beside them
        assert (rows[indicator]["change"], rows[indicator]["display"]["change"]) == (STATE_WORDS[change], change)
        if rag:
            assert (rows[indicator]["rag"], rows[indicator]["display"]["rag"]) == (STATE_WORDS[rag], rag)
    assert rows["136"]["display"]["comparison_label"] == "Quarter 2 22/23 (cumulative)"
    assert rows["179"]["display"]["current_label"] == "Current Quarter (cumulative)"
    assert rows["221"]["display"]["current_label"] == "Current Month"
    # numbers as numbers, percentages as the fractions kpixl keeps, states as words
    assert (rows["37"]["current"], rows["37"]["target"], rows["37"]["display"]["current"]) == (380018, 475381,
                                                                                             "380,018")
    assert (rows["198"]["current"], rows["198"]["target"], rows["198"]["display"]["current"]) == (0.68, 0.7, "68%")
    assert (rows["136"]["status"], rows["174"]["target"], rows["174"]["display"]["target"]) == (
        "provisional", None, "In Development")


@pytest.mark.parametrize("args", [["indicators", "2023-24-Q9"], ["indicators", "--committee", "nonesuch"]])
def test_bad_period_or_committee_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    code, out = run(*args, "--workspace", str(tmp_path / "ws"))
    assert code == 2
    assert out.startswith("Error: ")


def test_a_financial_year_where_a_quarter_is_wanted_says_so(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    code, out = run("status", "2024-25", "--workspace", str(tmp_path / "ws"))
    said = " ".join(out.split())
    assert code == 2 and "month 25" not in said
    assert "'2024-25' is the financial year 2024/25, not a quarter or a month: name one of its quarters, " \
           "2024-25-Q1 to 2024-25-Q4" in said


def test_indicators_are_listed_in_the_registers_order(tmp_path: Path) -> None:
    import yaml

    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    path = tmp_path / "ws" / "register.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"].reverse()  # 222 first, 36 last: the council's order, not the ids'
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code, out = run("indicators", "2023-24-Q2", "--json", "--workspace", str(tmp_path / "ws"))
    listed = [r["indicator"] for r in json.loads(out)["indicators"]]
    assert code == 0 and listed == [i["id"] for i in data["indicators"]] and listed[0] == "222"


def test_ids_that_differ_only_in_case_are_refused_and_lookups_ignore_case(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"), "--example", "cambridgeshire")
    path = tmp_path / "ws" / "register.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('id: "36"', 'id: "LIB36"'), encoding="utf-8")
    code, out = run("history", "show", "lib36", "--workspace", str(tmp_path / "ws"))
    assert code == 0 and "indicator LIB36" in out  # found as the register writes it (nothing stored yet)
    path.write_text(text.replace('id: "37"', 'id: "lib36"').replace('id: "36"', 'id: "LIB36"'), encoding="utf-8")
    code, out = run("register", "check", "--json", "--workspace", str(tmp_path / "ws"))
    found = [(p["code"], p["indicator"]) for p in json.loads(out)["problems"]]
    assert code == 1 and ("REG_DUPLICATE_ID", "lib36") in found
    assert "only in capital letters" in next(p["message"] for p in json.loads(out)["problems"]
                                             if p["code"] == "REG_DUPLICATE_ID")


def test_a_blank_workspace_register_passes_with_warnings_saying_what_is_missing(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"))
    code, out = run("register", "check", "--workspace", str(tmp_path / "ws"))
    assert code == 0 and "0 indicators, 0 services, 0 committees; 0 errors, 3 warnings." in " ".join(out.split())
    code, out = run("register", "check", "--json", "--workspace", str(tmp_path / "ws"))
    said = [(p["code"], p["severity"], p["message"].split(",")[0]) for p in json.loads(out)["problems"]]
    assert code == 0 and said == [("REG_EMPTY", "warning", f"The register has no {what} yet")
                                  for what in ("services", "committees", "indicators")]


@pytest.mark.parametrize(("today", "period", "deadline"), [
    ("2023-10-02", "2023-24-Q2", "2023-10-27"),  # the seed's: Q2 ended 30 September, due the fourth Friday
    ("2024-01-15", "2023-24-Q3", "2024-01-26"),
    ("2024-04-26", "2023-24-Q4", "2024-04-26"),  # the deadline day itself
    ("2026-12-03", "2026-27-Q2", "2026-12-11"),  # Q2's deadline (23 October) has passed: two Fridays on
])
def test_a_blank_workspace_collects_the_last_quarter_to_have_ended(tmp_path: Path, today: str, period: str,
                                                                   deadline: str) -> None:
    """Issue 13: kpixl init set 2023-24-Q2, due 27 October 2023, whatever the day."""
    from datetime import date

    from kpixl.steps.create import init_workspace

    config = init_workspace(tmp_path / "ws", today=date.fromisoformat(today)).config
    assert (config.period.slug if config.period else "", str(config.deadline)) == (period, deadline)


def test_init_says_which_quarter_it_collects_from_todays_date(tmp_path: Path) -> None:
    from datetime import date

    from kpixl.steps.create import default_cycle

    quarter, deadline = default_cycle(date.today())
    code, out = run("init", str(tmp_path / "ws"))
    assert code == 0 and f"It collects {quarter}, returns due {deadline:%A} {deadline.day} {deadline:%B %Y}" in out
    assert f'period = "{quarter.slug}"' in (tmp_path / "ws" / "kpixl.toml").read_text(encoding="utf-8")
