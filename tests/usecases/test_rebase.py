"""``xlalloc rebase``: the README's merger example, as written."""


def test_the_readmes_merger_example_runs_as_written(tmp_path, shared_dir, libreoffice):
    # README: rebase the 42 old ICBs' baselines, build T02 NHS Essex with its three
    # predecessors as places, give each place its part of the bridge, and run.
    import pandas as pd
    from libreoffice import read_values, recalculate
    from openpyxl import load_workbook

    from xlalloc.cli import main
    from xlalloc.readers import nhse

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    icbs = nhse.load_practices(old).groupby("icb_code")["core"].sum()
    baselines = tmp_path / "BASELINES.csv"
    pd.DataFrame({"icb": icbs.index, "baseline": (icbs * 1900).round()}).to_csv(
        baselines, index=False
    )
    rebased = tmp_path / "rebased.xlsx"
    assert (
        main(["rebase", str(old), str(new), "--baselines", str(baselines), "-o", str(rebased)]) == 0
    )
    values = read_values(recalculate(rebased, tmp_path / "lo1"))
    assert values["Checks"][3] == ["Overall check (0 when all is well)", 0]
    model = tmp_path / "essex.xlsx"
    args = ["new", str(model), "--icb", "T02", "--places-by", "former_icb"]
    assert main([*args, "--practices", str(old), "--practices", str(new)]) == 0
    bridge = pd.DataFrame(values["Bridge"][1:], columns=values["Bridge"][0])
    parts = bridge[bridge["New ICB code"] == "T02"]
    assert sorted(parts["Old ICB code"]) == ["QH8", "QJG", "QM7"]
    wb = load_workbook(model)
    for i, (place, amount) in enumerate(zip(parts["Old ICB"], parts["Amount (£)"])):
        wb["Baselines"].cell(row=5 + i, column=1, value=place)
        wb["Baselines"].cell(row=5 + i, column=2, value=amount)
    total = float(parts["Amount (£)"].sum())
    for j, v in enumerate(["All services", "Other programme costs", round(total * 1.03), True]):
        wb["Budget"].cell(row=5, column=1 + j, value=v)
    for i, (y, t) in enumerate((("2025/26", total * 1.03), ("2026/27", total * 1.06))):
        wb["Totals"].cell(row=5 + i, column=1, value=y)
        wb["Totals"].cell(row=5 + i, column=2, value=round(t))
    wb.save(model)
    assert main(["run", str(model)]) == 0
    out = tmp_path / "essex-results.xlsx"
    values = read_values(recalculate(out, tmp_path / "lo2"))
    overall = next(
        r for r in values["Checks"] if r and r[0] == "Overall check (0 when all is well)"
    )
    assert overall[1] == 0
