# Golden values for weighted proportions from R survey (Debian r-cran-survey 4.1.1).
# Writes tests/golden/r_survey.csv. Run from the repository root:
#
#   apt-get install r-cran-survey
#   Rscript notebooks/golden/r_survey_reference.R
#
# Each case is a deterministic data set (the Rust test rebuilds the same one):
#   n rows; rows 0..n1-1 are group 1 ("recruiters"); y = 1 for the first k1 rows of group 1
#   and the first k0 rows of group 2; weight pattern as below; case D also has item
#   non-response (y missing on every 11th row), handled with na.rm = TRUE. Design: one stage, with
#   replacement, svydesign(ids = ~1, weights = ~w). Domains via subset() (domain-correct
#   variances; R's degrees of freedom for a subset are its row count - 1).
suppressMessages(library(survey))
rows <- list()
emit <- function(case, group, field, value, tol, source) {
  if (!is.finite(value)) return(invisible())
  rows[[length(rows) + 1]] <<- c(case, group, field, sprintf("%.17g", value), tol, source)
}
weights_for <- function(pattern, n) {
  i <- 0:(n - 1)
  switch(pattern,
         a = c(0.6, 1.0, 1.8)[i %% 3 + 1],
         b = 0.5 + (i %% 7) / 3,
         c = c(1, 2)[i %% 2 + 1])
}
# svyciprop(method = "likelihood") limits are emitted as likelihood_spline_*;
# likelihood_* are the exact roots of the same profile (likelihood.R).
source("notebooks/golden/likelihood.R")
cases <- list(
  list(id = "A", n = 400, n1 = 60, k1 = 52, k0 = 214, w = "a"),
  list(id = "B", n = 250, n1 = 40, k1 = 13, k0 = 150, w = "b"),
  list(id = "C", n = 100, n1 = 20, k1 = 20, k0 = 30, w = "c"),
  list(id = "D", n = 300, n1 = 50, k1 = 20, k0 = 100, w = "b", missing_every = 11)
)
for (cs in cases) {
  n <- cs$n; n1 <- cs$n1
  grp <- c(rep(1, n1), rep(0, n - n1))
  y <- c(as.numeric(seq_len(n1) <= cs$k1), as.numeric(seq_len(n - n1) <= cs$k0))
  if (!is.null(cs$missing_every)) y[(0:(n - 1)) %% cs$missing_every == 0] <- NA  # item non-response
  d <- data.frame(y = y, grp = grp, w = weights_for(cs$w, n))
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  # svyby(covmat = TRUE) fails with NA in survey 4.1.1 ("number of items to replace is
  # not a multiple"); the difference is then not emitted for that case.
  by <- if (is.null(cs$missing_every)) svyby(~y, ~grp, des, svymean, covmat = TRUE) else NULL
  for (g in c(1, 0)) {
    gname <- if (g == 1) "1" else "2"
    sub <- subset(des, grp == g)
    m <- svymean(~y, sub, deff = "replace", na.rm = TRUE)
    emit(cs$id, gname, "estimate", coef(m)[1], "closed", "R survey svymean on subset()")
    emit(cs$id, gname, "se", SE(m)[1], "closed", "R survey svymean on subset() (domain variance)")
    emit(cs$id, gname, "deff_replace", deff(m)[1], "closed", "R survey svymean(deff = \"replace\")")
    for (method in c("logit", "mean", "asin", "beta")) {
      ci <- tryCatch(suppressWarnings(attr(svyciprop(~y, sub, method = method, na.rm = TRUE), "ci")), error = function(e) c(NA, NA))
      emit(cs$id, gname, paste0(method, "_lower"), ci[1], "root", paste0("R survey svyciprop(method = \"", method, "\"), df = degf(subset)"))
      emit(cs$id, gname, paste0(method, "_upper"), ci[2], "root", paste0("R survey svyciprop(method = \"", method, "\"), df = degf(subset)"))
    }
    if (coef(m)[1] > 0 && coef(m)[1] < 1) {  # R's profile fails at a share of 0 or 1
      ci <- suppressWarnings(attr(svyciprop(~y, sub, method = "likelihood", na.rm = TRUE), "ci"))
      src <- "R survey svyciprop(method = \"likelihood\"): spline through the profile"
      emit(cs$id, gname, "likelihood_spline_lower", ci[1], "spline", src)
      emit(cs$id, gname, "likelihood_spline_upper", ci[2], "spline", src)
      ci <- exact_likelihood_ci(y ~ 1, sub)
      src <- "exact root of R survey's likelihood profile (svyglm, glm.fit deviance, uniroot)"
      emit(cs$id, gname, "likelihood_lower", ci[1], "root", src)
      emit(cs$id, gname, "likelihood_upper", ci[2], "root", src)
    }
  }
  if (is.null(cs$missing_every)) {
    f <- svychisq(~y + grp, des, statistic = "F")
    chi <- svychisq(~y + grp, des, statistic = "Chisq")
    emit(cs$id, "rao-scott", "pearson", unname(chi$statistic), "closed", "R survey svychisq(statistic = \"Chisq\") (unscaled X^2)")
    emit(cs$id, "rao-scott", "chisq_p", chi$p.value, "exact", "R survey svychisq(statistic = \"Chisq\")")
    emit(cs$id, "rao-scott", "f", unname(f$statistic), "closed", "R survey svychisq(statistic = \"F\")")
    emit(cs$id, "rao-scott", "f_p", f$p.value, "exact", "R survey svychisq(statistic = \"F\")")
    contrast <- svycontrast(by, c(-1, 1))  # grp levels sorted 0, 1: group 1 minus group 2
    emit(cs$id, "diff", "estimate", coef(contrast)[1], "closed", "R survey svyby(covmat = TRUE) + svycontrast")
    emit(cs$id, "diff", "se", SE(contrast)[1], "closed", "R survey svyby(covmat = TRUE) + svycontrast")
  }
}
# r x c tables (an answer with several codes across groups): Rao-Scott tests. Row i
# (0-based) of a case is in group g = i mod levels and gives answer g mod codes when
# i mod 5 < 1 + g, otherwise (i %/% 3) mod codes.
rc_cases <- list(
  list(id = "R1", n = 300, levels = 3, codes = 4, w = "b"),
  list(id = "R2", n = 400, levels = 2, codes = 5, w = "a"),
  list(id = "R3", n = 150, levels = 4, codes = 3, w = "c")
)
for (cs in rc_cases) {
  i <- 0:(cs$n - 1)
  grp <- i %% cs$levels
  ans <- ifelse(i %% 5 < 1 + grp, grp %% cs$codes, (i %/% 3) %% cs$codes)
  d <- data.frame(ans = factor(ans), grp = factor(grp), w = weights_for(cs$w, cs$n))
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  f <- svychisq(~ans + grp, des, statistic = "F")
  chi <- svychisq(~ans + grp, des, statistic = "Chisq")
  emit(cs$id, "rc", "pearson", unname(chi$statistic), "closed", "R survey svychisq(statistic = \"Chisq\") (unscaled X^2)")
  emit(cs$id, "rc", "chisq_p", chi$p.value, "exact", "R survey svychisq(statistic = \"Chisq\")")
  emit(cs$id, "rc", "f", unname(f$statistic), "closed", "R survey svychisq(statistic = \"F\")")
  emit(cs$id, "rc", "f_ndf", unname(f$parameter[1]), "closed", "R survey svychisq(statistic = \"F\")")
  emit(cs$id, "rc", "f_p", f$p.value, "exact", "R survey svychisq(statistic = \"F\")")
}
out <- file("tests/golden/r_survey.csv", "w")
writeLines(paste0("# ", R.version.string, ", survey ", packageVersion("survey"), "; written by notebooks/golden/r_survey_reference.R"), out)
writeLines("case,group,field,value,tolerance,source", out)
for (r in rows) writeLines(paste(r, collapse = ","), out)
close(out)
cat(length(rows), "rows\n")
