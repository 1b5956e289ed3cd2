"""level: water-filling by hand."""

import pytest

from xlalloc.engine.convergence import ConvergencePolicy, converge

from ..helpers import by_org, orgs


def test_level_every_rule_binds_by_hand():
    # B = 500, T = 520: core growth 4%. Targets s*T = 83.2, 93.6, 104, 114.4, 124.8.
    # Baseline DfT: 100/80-1 = +25%, 100/90-1 = +11.1%, 0, 100/110-1 = -9.1%, 100/120-1 = -16.7%.
    pol = ConvergencePolicy(min_growth=0.01, max_growth=0.06, band=0.02)
    res = converge(orgs([100] * 5, [0.16, 0.18, 0.20, 0.22, 0.24]), 520, pol)
    # C is within the band: 100 * 1.04 = 104. Floors 101, caps 106.
    # D and E are capped (106 each); A at its floor (101); B takes the rest:
    # 520 - 104 - 106 - 106 - 101 = 103 = (1 - L) * 93.6, L = 1 - 103/93.6.
    assert by_org(res, "allocation") == {"A": 101, "B": 103, "C": 104, "D": 106, "E": 106}
    assert by_org(res, "rule") == {"A": "floor", "B": "level", "C": "band", "D": "cap", "E": "cap"}
    assert res.parameter == pytest.approx(1 - 103 / 93.6)
    assert res.core_growth == pytest.approx(0.04)
    assert by_org(res, "dft_before")["A"] == pytest.approx(0.25)
    assert by_org(res, "dft_after")["A"] == pytest.approx(101 / 83.2 - 1)
    assert by_org(res, "dft_after")["E"] == pytest.approx(106 / 124.8 - 1)
    assert by_org(res, "growth")["B"] == pytest.approx(0.03)
    assert res.table["allocation"].sum() == 520
    assert "floor: minimum growth 1.00% on baseline £100 = £101" in by_org(res, "explanation")["A"]


def test_no_floor_or_cap_gives_target():
    res = converge(orgs([100, 100, 100, 100], [0.2, 0.3, 0.25, 0.25]), 420)
    assert by_org(res, "allocation") == {"A": 84, "B": 126, "C": 105, "D": 105}
    assert (res.table["dft_after"].abs() < 1e-12).all()
