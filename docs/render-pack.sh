#!/usr/bin/env bash
# Re-render the pack pages shown in the README (needs libreoffice-calc-nogui and poppler-utils).
set -euo pipefail
work=$(mktemp -d)
xlalloc new "$work/model.xlsx" --demo
xlalloc demo-ledger "$work/model.xlsx" --month 6 -o "$work/ledger.csv"
xlalloc pack "$work/model.xlsx" --actuals "$work/ledger.csv" --month 6 --out "$work/packs"
cp "$work/packs/Ashford City.xlsx" "$work/pack.xlsx"
(cd "$work" && soffice --headless --convert-to pdf pack.xlsx >/dev/null && pdftoppm -png -r 80 pack.pdf page)
cp "$work/page-2.png" "$(dirname "$0")/pack-summary.png"
cp "$work/page-3.png" "$(dirname "$0")/pack-programmes.png"
echo "rendered docs/pack-summary.png and docs/pack-programmes.png"
