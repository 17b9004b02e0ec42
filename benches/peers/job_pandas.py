"""The benchmark job in pandas + statsmodels + scipy (same steps as job_polars.py,
weighted shares included)."""
import sys
import pandas as pd
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.multitest import multipletests

df = pd.read_csv(sys.argv[1])
pvals = []
for i in range(1, 21):
    q = f"q{i}"
    tab = pd.crosstab(df["role"], df[q])
    wt = pd.crosstab(df["role"], df[q], values=df["weight"], aggfunc="sum").fillna(0).to_numpy()
    _ = wt / wt.sum(axis=1, keepdims=True)
    n = tab.sum(axis=1).to_numpy()[:, None]
    proportion_confint(tab.to_numpy(), n, method="wilson")
    pvals.append(chi2_contingency(tab.to_numpy(), correction=False).pvalue)
multipletests(pvals, method="holm"); multipletests(pvals, method="fdr_bh")
print("pandas done", len(pvals))
