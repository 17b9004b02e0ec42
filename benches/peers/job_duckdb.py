"""The benchmark job in DuckDB: one query over the CSV file (read_csv, the 20 questions
unpivoted, counts and weight sums per question x role x answer), then Wilson 95% CIs for
every share, weighted shares, chi-square per question, Holm and BH over the 20 p-values
in numpy, scipy and statsmodels."""
import sys
import duckdb
import numpy as np
from scipy.stats import chi2_contingency, norm
from statsmodels.stats.multitest import multipletests

questions = [f"q{i}" for i in range(1, 21)]
con = duckdb.connect()
con.execute("SET threads = 2")
rows = con.execute(
    f"""
    SELECT question, role, answer, count(*) AS len, sum(weight) AS w
    FROM (UNPIVOT (SELECT role, weight, {", ".join(questions)} FROM read_csv(?))
          ON {", ".join(questions)} INTO NAME question VALUE answer)
    GROUP BY ALL ORDER BY ALL
    """,
    [sys.argv[1]],
).fetchnumpy()
z = norm.ppf(0.975)
pvals = []
roles = np.unique(rows["role"])
for q in questions:
    mask = rows["question"] == q
    answers = np.unique(rows["answer"][mask])
    counts = np.zeros((len(roles), len(answers)))
    wt = np.zeros_like(counts)
    for r, a, n, w in zip(rows["role"][mask], rows["answer"][mask], rows["len"][mask], rows["w"][mask]):
        i, j = np.searchsorted(roles, r), np.searchsorted(answers, a)
        counts[i, j] = n
        wt[i, j] = w
    _ = wt / wt.sum(axis=1, keepdims=True)
    n = counts.sum(axis=1, keepdims=True)
    p = counts / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    _ = (centre - half, centre + half)
    pvals.append(chi2_contingency(counts, correction=False).pvalue)
multipletests(pvals, method="holm"); multipletests(pvals, method="fdr_bh")
print("duckdb done", len(pvals), "sum of p", f"{sum(pvals):.12g}")
