#!/usr/bin/env python3
"""Check the criteria catalogue (framework-1.json, framework-2.json) against the guide's counts.

Stdlib only. Run from anywhere: python3 catalogue/check_catalogue.py
Exits non-zero and lists every problem found (not just the first) when a check fails.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Criteria per subcategory (all items, binding or not), from the guide's category tables.
F1_SUB_COUNTS = {
    "1.1": 6, "1.2": 4, "1.3": 3, "1.4": 3,
    "2.1": 7, "2.2": 2, "2.3": 5, "2.4": 2,
    "3.1": 7, "3.2": 9, "3.3": 7, "3.4": 13,
    "4.1": 3, "4.2": 5,
    "5.1": 4, "5.2": 10, "5.3": 4,
}
# Guide, table 1: basic / advanced criteria per category of framework 1 (headquarters).
F1_TABLE1 = {
    "1": (12, 4),   # سهولة الوصول إلى المركز            16
    "2": (9, 7),    # التميز في توفير الخدمة              16
    "3": (30, 6),   # ملاءمة بيئة المركز                  36
    "4": (5, 3),    # سلاسة إدارة العملاء                 8
    "5": (11, 7),   # فاعلية العمليات الإدارية            18
}
F1_TOTALS = (67, 27)

# Framework 2 (remote): items per subcategory, and binding items per subcategory.
F2_SUB_COUNTS = {"1.1": 6, "1.2": 7, "1.3": 5, "2.1": 4, "2.2": 3, "2.3": 5,
                 "3.1": 7, "3.2": 7, "3.3": 4}
F2_SUB_BINDING = {"1.1": 6, "1.2": 7, "1.3": 5, "2.1": 4, "2.2": 3, "2.3": 4,
                  "3.1": 7, "3.2": 7, "3.3": 2}
# Guide, table 2: (binding) criteria per category of framework 2.
F2_TABLE2 = {"1": 18, "2": 11, "3": 16}
F2_BINDING_TOTAL = 45
F2_NON_BINDING = {"3.3.3", "3.3.4", "2.3.5"}

DECIDED_BY_DATA = {
    1: {"2.3.2", "2.3.3"},
    2: {"2.3.2", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.7"},
}
# The criteria whose whole text is conditional, the only ones that may be "not applicable" (guide-notes
# decision 12); each quotes its condition, word for word from its text.
CONDITIONAL = {1: {"2.1.1", "2.1.3"}, 2: {"3.1.1"}}

TATWEEL = "\u0640"
# Characters the PDF extraction left behind that must not survive into the catalogue.
FORBIDDEN = {
    TATWEEL: "tatweel",
    "\u06cc": "Farsi yeh",
    "\u06a9": "keheh",
    "\uff0c": "full-width comma",
    "\u2713": "check mark",
    "\u200c": "zero-width non-joiner",
    "\u200f": "right-to-left mark",
}
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")

problems = []


def problem(msg):
    problems.append(msg)


def check_text(where, obj, key="text"):
    t = obj.get(key)
    if not isinstance(t, dict):
        problem(f"{where}: missing {key}")
        return
    for lang in ("ar", "en"):
        v = t.get(lang)
        if not isinstance(v, str) or not v.strip():
            problem(f"{where}: {key}.{lang} is empty")
            continue
        if v != v.strip() or "  " in v:
            problem(f"{where}: {key}.{lang} has stray whitespace")
        for ch, name in FORBIDDEN.items():
            if ch in v:
                problem(f"{where}: {key}.{lang} contains a {name} (U+{ord(ch):04X})")
        if PRESENTATION_FORMS.search(v):
            problem(f"{where}: {key}.{lang} contains Arabic presentation forms")
    if isinstance(t.get("ar"), str) and not re.search("[\u0621-\u064a]", t["ar"]):
        problem(f"{where}: {key}.ar has no Arabic letters")


def load(fw):
    path = HERE / f"framework-{fw}.json"
    raw = path.read_text(encoding="utf-8")
    if TATWEEL in raw:
        problem(f"{path.name}: contains tatweel (U+0640)")
    if "\\u" in raw:
        problem(f"{path.name}: contains \\u escapes; Arabic must be written as real characters")
    return json.loads(raw)


def walk(fw, doc, sub_counts):
    """Structural checks shared by both frameworks; returns a list of (category, sub, criterion)."""
    if doc.get("framework") != fw:
        problem(f"framework-{fw}.json: 'framework' is {doc.get('framework')!r}")
    check_text(f"framework {fw}", doc, "name")
    seen = Counter()
    out = []
    cat_ids = [c.get("id") for c in doc.get("categories", [])]
    expected_cats = sorted({s.split(".")[0] for s in sub_counts}, key=int)
    if cat_ids != expected_cats:
        problem(f"framework {fw}: categories {cat_ids}, expected {expected_cats}")
    for cat in doc.get("categories", []):
        cid = cat.get("id", "?")
        seen[cid] += 1
        check_text(f"framework {fw} category {cid}", cat, "name")
        subs = cat.get("subcategories", [])
        sub_ids = [s.get("id") for s in subs]
        expected_subs = [s for s in sub_counts if s.split(".")[0] == cid]
        if sub_ids != expected_subs:
            problem(f"framework {fw} category {cid}: subcategories {sub_ids}, expected {expected_subs}")
        for sub in subs:
            sid = sub.get("id", "?")
            seen[sid] += 1
            if not re.fullmatch(rf"{re.escape(cid)}\.[1-9][0-9]*", sid):
                problem(f"framework {fw}: subcategory id {sid!r} is not {cid}.n")
            check_text(f"framework {fw} subcategory {sid}", sub, "name")
            crits = sub.get("criteria", [])
            if len(crits) != sub_counts.get(sid, -1):
                problem(f"framework {fw} {sid}: {len(crits)} criteria, expected {sub_counts.get(sid)}")
            for n, cr in enumerate(crits, start=1):
                kid = cr.get("id", "?")
                seen[kid] += 1
                if kid != f"{sid}.{n}":
                    problem(f"framework {fw}: criterion {kid!r} found where {sid}.{n} was expected")
                check_text(f"framework {fw} {kid}", cr)
                if "note" in cr:
                    note = cr["note"]
                    if not isinstance(note, dict) or not str(note.get("en", "")).strip():
                        problem(f"framework {fw} {kid}: note must be {{'en': non-empty}}")
                want = "data" if kid in DECIDED_BY_DATA[fw] else "evidence"
                if cr.get("decidedBy") != want:
                    problem(f"framework {fw} {kid}: decidedBy {cr.get('decidedBy')!r}, expected {want!r}")
                if kid in CONDITIONAL[fw]:
                    cond = cr.get("condition")
                    if not isinstance(cond, dict) or not cond.get("ar") or not cond.get("en"):
                        problem(f"framework {fw} {kid}: a conditional criterion needs its condition {{'ar', 'en'}}")
                    elif cond["ar"] not in cr.get("text", {}).get("ar", ""):
                        problem(f"framework {fw} {kid}: the condition is not the criterion's own words")
                elif "condition" in cr:
                    problem(f"framework {fw} {kid}: has a condition but is not one of the conditional criteria")
                out.append((cid, sid, cr))
    for k, v in seen.items():
        if v > 1:
            problem(f"framework {fw}: id {k} appears {v} times")
    return out


def check_f1(doc):
    crits = walk(1, doc, F1_SUB_COUNTS)
    per_cat = {c: [0, 0] for c in F1_TABLE1}
    for cid, _, cr in crits:
        if "binding" in cr:
            problem(f"framework 1 {cr['id']}: has 'binding' (framework 1 uses 'tier')")
        tier = cr.get("tier")
        if tier not in ("basic", "advanced"):
            problem(f"framework 1 {cr['id']}: tier {tier!r}")
            continue
        per_cat.setdefault(cid, [0, 0])[0 if tier == "basic" else 1] += 1
    for cid, want in F1_TABLE1.items():
        if tuple(per_cat.get(cid, (0, 0))) != want:
            problem(f"framework 1 category {cid}: basic/advanced {tuple(per_cat.get(cid))}, table 1 says {want}")
    basic = sum(v[0] for v in per_cat.values())
    adv = sum(v[1] for v in per_cat.values())
    if (basic, adv) != F1_TOTALS:
        problem(f"framework 1: {basic} basic + {adv} advanced, expected {F1_TOTALS[0]} + {F1_TOTALS[1]}")
    return len(crits), basic, adv


def check_f2(doc):
    crits = walk(2, doc, F2_SUB_COUNTS)
    non_binding = set()
    per_cat = Counter()
    per_sub = Counter()
    for cid, sid, cr in crits:
        if "tier" in cr:
            problem(f"framework 2 {cr['id']}: has 'tier' (framework 2 uses 'binding')")
        b = cr.get("binding")
        if not isinstance(b, bool):
            problem(f"framework 2 {cr['id']}: binding {b!r} is not true/false")
            continue
        if b:
            per_cat[cid] += 1
            per_sub[sid] += 1
        else:
            non_binding.add(cr["id"])
    if non_binding != F2_NON_BINDING:
        problem(f"framework 2: non-binding {sorted(non_binding)}, expected {sorted(F2_NON_BINDING)}")
    for sid, want in F2_SUB_BINDING.items():
        if per_sub[sid] != want:
            problem(f"framework 2 {sid}: {per_sub[sid]} binding, expected {want}")
    for cid, want in F2_TABLE2.items():
        if per_cat[cid] != want:
            problem(f"framework 2 category {cid}: {per_cat[cid]} binding, table 2 says {want}")
    binding = sum(per_cat.values())
    if binding != F2_BINDING_TOTAL:
        problem(f"framework 2: {binding} binding, expected {F2_BINDING_TOTAL}")
    return len(crits), binding, len(non_binding)


def main():
    n1, basic, adv = check_f1(load(1))
    n2, binding, nonb = check_f2(load(2))
    if problems:
        for p in problems:
            print("FAIL:", p, file=sys.stderr)
        print(f"catalogue check FAILED: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"catalogue OK: framework 1 {n1} criteria ({basic} basic + {adv} advanced, 17 subcategories); "
          f"framework 2 {n2} criteria ({binding} binding + {nonb} non-binding: "
          f"{', '.join(sorted(F2_NON_BINDING))}, 9 subcategories)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
