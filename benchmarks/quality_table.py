"""The quality table of benchmarks/README.md: every image preset's scores in its domain
evaluator next to that domain's real-data floor (test split against train split).

Measuring is done elsewhere, so the table only gathers recorded numbers:

    python tools/make_preset.py measure dcgan-mnist --data-dir ../shared/data   # each preset
    python benchmarks/quality_floor.py mnist --data-dir ../shared/data          # each domain
    python benchmarks/quality_table.py                                          # the table

A row is printed only when the preset was scored with the same evaluator weights as its
domain's floor: scores from two different evaluators are not comparable.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_gans import presets  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
COLUMNS = "| model | domain | FID | KID | precision | recall | density | coverage | IS | classes |"


def floor_row(domain):
    path = os.path.join(RESULTS, f"quality_floor_{domain}.json")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        r = json.load(f)
    row = (f"| real test split (floor) | {domain} | {r['fid']['fid']:.4f} | "
           f"{r['kid']['kid']:.5f} ± {r['kid']['kid_std']:.5f} | {r['pr']['precision']:.4f} | "
           f"{r['pr']['recall']:.4f} | {r['dc']['density']:.4f} | {r['dc']['coverage']:.4f} | "
           f"{r['is']['is']:.3f} | - |")
    return row, r["fid"]["protocol"]["extractor_sha256"]


def preset_row(name, s):
    return (f"| `{name}` | {s['protocol']['reference'].split(':')[0]} | {s['fid']:.4f} | "
            f"{s['kid']:.5f} ± {s['kid_std']:.5f} | {s['precision']:.4f} | {s['recall']:.4f} | "
            f"{s['density']:.4f} | {s['coverage']:.4f} | {s['is']:.3f} | "
            f"{s['classes_covered']}/{s['num_classes']} |")


def main():
    rows, skipped = [], []
    by_domain = {}
    for name in presets.list_models():
        meta = presets.read_json(os.path.join(presets.zoo_dir(), name, presets.METADATA_NAME))
        scores = (meta.get("metrics") or {}).get("evaluator_scores")
        if scores:
            by_domain.setdefault(meta["dataset"], []).append((name, scores))
    for domain in sorted(by_domain):
        floor, floor_sha = floor_row(domain)
        if floor:
            rows.append(floor)
        for name, scores in by_domain[domain]:
            if scores["protocol"]["extractor_sha256"] != floor_sha:
                skipped.append(f"{name}: scored with evaluator {scores['protocol']['extractor_sha256'][:12]}, "
                               f"floor with {str(floor_sha)[:12]}; rerun one of them")
                continue
            rows.append(preset_row(name, scores))
    print(COLUMNS)
    print("|" + "---|" * (COLUMNS.count("|") - 1))
    print("\n".join(rows))
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
