"""The benchmark job in polars: parse, count answers (and sum weights) per question x
role, Wilson 95% CIs for every share, weighted shares, chi-square per question, Holm and
BH over the 20 p-values."""
import sys
import polars as pl
from scipy.stats import chi2_contingency, norm
import numpy as np

df = pl.read_csv(sys.argv[1])
z = norm.ppf(0.975)
pvals = []
for i in range(1, 21):
    q = f"q{i}"
    t = df.filter(pl.col(q).is_not_null()).group_by(["role", q]).agg(pl.len().alias("len"), pl.col("weight").sum().alias("w"))
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
print("polars done", len(pvals))
