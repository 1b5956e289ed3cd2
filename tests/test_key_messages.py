"""Key messages by hand: every sentence's figures worked out from the inputs given."""

import pandas as pd
import pytest

from xlalloc.key_messages import distance_words, key_messages, months_table


def test_key_messages_by_hand():
    # A place £1,000 (10.0%) overspent on a budget to date of £10,000; forecast at the
    # run rate 11,000 / 6 x 12 = £22,000 against £20,000: £2,000 adverse.
    lines = pd.DataFrame(
        {"line": ["Acute", "Community"], "ytd_budget": [6000.0, 4000.0]}
        | {"ytd_actual": [7500.0, 3500.0]}
    )
    traj = pd.DataFrame({"place": ["A"], "baseline": [-0.05], "2026/27": [-0.02]})
    out = key_messages(
        "A",
        "Month 6 (Sep) 2026/27",
        {"annual_budget": 20000.0, "ytd_budget": 10000.0, "ytd_actual": 11000.0}
        | {"forecast": 22000.0},
        lines,
        0.05,
        traj,
        "£",
    )
    assert out[0] == (
        "At Month 6 (Sep) 2026/27 A has spent £11,000 against a budget to date of £10,000: "
        "£1,000 (10.0%) overspent (adverse)."
    )
    assert out[1] == (
        "At the run rate the forecast outturn is £22,000 against an annual budget of "
        "£20,000: £2,000 adverse."
    )
    # Acute 1,500 over (25.0%), Community 500 under (12.5%): both beyond 5%.
    assert out[2] == (
        "The largest variances to date: Acute £1,500 adverse (25.0%); Community £500 "
        "favourable (12.5%). 2 lines are beyond the 5.0% threshold either way: commentary "
        "beside each on page 2."
    )
    assert out[3] == (
        "A starts 5.0% below its need-based target; by 2026/27 convergence brings it to "
        "2.0% below, toward it."
    )
    assert distance_words(-0.0004) == "on target" and distance_words(0.031) == "3.1% above"


def test_months_table_runs_the_actual_on_at_its_rate_to_month_12():
    t = months_table([100.0] * 12, [90.0, 110.0, 120.0], 3, 320.0)
    assert t["budget_to_date"].tolist() == [100.0 * m for m in range(1, 13)]
    assert t["actual_to_date"].tolist()[:3] == [90.0, 200.0, 320.0]
    assert t["actual_to_date"].isna().tolist()[3:] == [True] * 9
    # 320 over three months is 106.67 a month: 320 / 3 x 12 = 1,280 at month 12.
    assert t["forecast"].iloc[-1] == pytest.approx(1280.0)
    assert t["forecast"].iloc[2] == 320.0 and t["forecast"].isna().tolist()[:2] == [True] * 2


def test_amounts_in_millions_say_so():
    # £7,409,802 in £m is shown "£7.4" in its cell; the sentence says £7.4m.
    lines = pd.DataFrame(
        {"line": ["Acute"], "ytd_budget": [534_839_412.0]} | {"ytd_actual": [527_429_610.0]}
    )
    totals = {"annual_budget": 1_069_678_797.0, "ytd_budget": 534_839_412.0}
    totals |= {"ytd_actual": 527_429_610.0, "forecast": 1_054_859_220.0}
    out = key_messages("B", "Month 6 (Sep) 2026/27", totals, lines, 0.05, None, "£m")
    assert out[0] == (
        "At Month 6 (Sep) 2026/27 B has spent £527.4m against a budget to date of £534.8m: "
        "£7.4m (1.4%) underspent (favourable)."
    )
    assert out[1].endswith("£1,054.9m against an annual budget of £1,069.7m: £14.8m favourable.")
