"""The benchmark job in polars: parse, count answers (and sum weights) per question x
role, Wilson 95% CIs for every share, weighted shares, chi-square per question, Holm and
BH over the 20 p-values.

Usage: job_polars.py FILE [--streaming]. Eager by default (read_csv, then 20 group-bys
in memory); --streaming runs one lazy query over scan_csv with the streaming engine
(the 20 group-bys unpivoted into one), so the file is never held in memory."""
import sys
import polars as pl
from scipy.stats import chi2_contingency, norm
import numpy as np

questions = [f"q{i}" for i in range(1, 21)]
if "--streaming" in sys.argv[2:]:
    long = (
        pl.scan_csv(sys.argv[1])
        .select(["role", "weight", *questions])
        .unpivot(index=["role", "weight"], on=questions, variable_name="question", value_name="answer")
        .filter(pl.col("answer").is_not_null())
        .group_by(["question", "role", "answer"])
        .agg(pl.len().alias("len"), pl.col("weight").sum().alias("w"))
        .collect(engine="streaming")
    )
    tables = {q: long.filter(pl.col("question") == q).drop("question").rename({"answer": q}) for q in questions}
else:
    df = pl.read_csv(sys.argv[1])
    tables = {q: df.filter(pl.col(q).is_not_null()).group_by(["role", q]).agg(pl.len().alias("len"), pl.col("weight").sum().alias("w")) for q in questions}
z = norm.ppf(0.975)
pvals = []
for q in questions:
    t = tables[q]
    wt = t.pivot(on=q, index="role", values="w").fill_null(0).sort("role").drop("role").to_numpy()
    _ = wt / wt.sum(axis=1, keepdims=True)
    tab = t.pivot(on=q, index="role", values="len").fill_null(0).sort("role")
    counts = tab.drop("role").to_numpy()
    n = counts.sum(axis=1, keepdims=True)
    p = counts / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    _ = (centre - half, centre + half)
    pvals.append(chi2_contingency(counts, correction=False).pvalue)
from statsmodels.stats.multitest import multipletests
multipletests(pvals, method="holm"); multipletests(pvals, method="fdr_bh")
print("polars done", len(pvals), "sum of p", f"{sum(pvals):.12g}")
