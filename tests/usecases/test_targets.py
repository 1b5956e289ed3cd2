"""``xlalloc targets``: target shares and targets, through the Python API."""

import csv

import pytest

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def test_targets_share_the_budget_exactly(tmp_path):
    run = api.targets("demo", tmp_path / "t.csv", budget=2_516_000_000)
    table = run.tables["Targets"]
    places = table[table["level"] == "place"]
    assert places["target"].sum() == 2_516_000_000
    prov = run.tables["Provenance"].set_index("item")
    assert prov.loc["check status", "value"] == "all checks 0"
    assert (tmp_path / "t-provenance.csv").exists()


def test_monte_carlo_options_need_uncertainty_and_a_seed_is_never_a_percentage(tmp_path):
    out = tmp_path / "t.csv"
    with pytest.raises(InputError) as e:
        api.targets("demo", out, seed=7, draws=500)
    assert str(e.value).endswith(
        "`draws` and `seed` set the Monte Carlo of the target intervals: add "
        "`uncertainty` U (e.g. 0.0255)"
    )
    with pytest.raises(InputError) as e:
        api.targets("demo", out, uncertainty=0.0255, seed=-1)
    assert "greater than or equal to 0" in str(e.value) and "did you mean" not in str(e.value)
    assert not out.exists()


def test_targets_by_former_icb_and_what_it_needs(tmp_path, shared_dir):

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    out = tmp_path / "t02.csv"
    result = api.targets(new, out, icb="T02", places_by="former_icb", former=old)
    got = result.tables["Targets"].set_index("name")
    # T02 NHS Essex from its three predecessors, each index from the raw files by hand.
    with open(old, encoding="utf-8-sig", newline="") as f:
        former = {r["Practice_Code"]: r["ICBname"] for r in csv.DictReader(f)}
    with open(new, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ICB"] == "T02"]
    pop = {k: 0.0 for k in set(former[r["Practice_Code"]] for r in rows)}
    wp = dict(pop)
    for r in rows:
        pop[former[r["Practice_Code"]]] += float(r["Registered Patients"])
        wp[former[r["Practice_Code"]]] += float(r["Core WP"])
    rate = sum(wp.values()) / sum(pop.values())
    places = got[got["level"] == "place"]
    assert sorted(places.index) == sorted(pop) and len(pop) == 3
    for name in pop:
        assert places.loc[name, "core_index"] == pytest.approx(wp[name] / pop[name] / rate)
    assert (tmp_path / "t02-places.png").exists()
    with pytest.raises(InputError, match="former_icb takes each practice's ICB from an earlier"):
        api.targets(new, tmp_path / "a.csv", icb="T02", places_by="former_icb")
    with pytest.raises(InputError, match="add `places_by` former_icb"):
        api.targets(new, tmp_path / "b.csv", icb="T02", former=old)
    # A practice the earlier file does not list has no former ICB: named.
    lines = old.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    short = tmp_path / "short_2025_2026.csv"
    short.write_text("".join(line for line in lines if ",QH8," not in line), encoding="utf-8")
    with pytest.raises(InputError, match=r"145 practice\(s\) are not in short_2025_2026.csv"):
        api.targets(new, tmp_path / "c.csv", icb="T02", places_by="former_icb", former=short)
    # Without an ICB, a former ICB split between new ones is refused as a place.
    with pytest.raises(InputError, match="place 'NHS Frimley ICB' spans more than one ICB"):
        api.targets(new, tmp_path / "d.csv", places_by="former_icb", former=old)
