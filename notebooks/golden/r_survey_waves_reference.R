# Golden values for weighted wave comparisons from R survey (Debian r-cran-survey 4.1.1).
# Writes tests/golden/r_survey_waves.csv. Run from the repository root:
#
#   apt-get install r-cran-survey
#   Rscript notebooks/golden/r_survey_waves_reference.R
#
# Waves are independent samples, so the waves stacked form a stratified design with the
# wave as stratum: svydesign(ids = ~1, strata = ~wave, weights = ~w). Each case is a
# deterministic data set that the Rust test rebuilds row by row (tests/integration/
# waves.rs): in wave h (1, 2, ...) of `sizes[h]` rows, rows i < n1[h] are group 1, y = 1
# for the first k1[h] rows of group 1 and the first k0[h] rows of group 2, the weight is
# 0.5 + ((7 i + h) mod 11) / 5, and y is missing where i mod miss == h (miss = 0: none).
#
# - change: the share in wave h minus wave h - 1 within a group, svyby(~y, ~wave,
#   covmat = TRUE) + svycontrast on the group's answering respondents;
# - trend: the slope of svyglm(y ~ wave, family = quasibinomial) on the group (a
#   design-based logistic trend test; t with the model's residual df);
# - gap change: (group 1 - group 2 in wave h) - (the same in wave h - 1), svyby(~y,
#   ~wave + grp, covmat = TRUE) + svycontrast.
suppressMessages(library(survey))
rows <- list()
emit <- function(case, group, wave, field, value, tol, source) {
  rows[[length(rows) + 1]] <<- c(case, group, wave, field, sprintf("%.17g", value), tol, source)
}
make <- function(cs) {
  parts <- list()
  for (h in seq_along(cs$sizes)) {
    n <- cs$sizes[h]; i <- 0:(n - 1)
    grp <- ifelse(i < cs$n1[h], 1, 0)
    y <- ifelse(i < cs$n1[h], as.numeric(i < cs$k1[h]), as.numeric(i - cs$n1[h] < cs$k0[h]))
    if (cs$miss > 0) y[i %% cs$miss == h] <- NA
    parts[[h]] <- data.frame(wave = h, grp = grp, y = y, w = 0.5 + ((i * 7 + h) %% 11) / 5)
  }
  do.call(rbind, parts)
}
cases <- list(
  list(id = "W1", sizes = c(200, 240, 180), n1 = c(30, 40, 35), k1 = c(20, 30, 31),
       k0 = c(80, 100, 95), miss = 13),
  list(id = "W2", sizes = c(150, 150, 160, 170), n1 = c(25, 20, 30, 28), k1 = c(5, 6, 12, 15),
       k0 = c(60, 58, 70, 66), miss = 0)
)
for (cs in cases) {
  d <- make(cs)
  des <- svydesign(ids = ~1, strata = ~wave, weights = ~w, data = d)
  obs <- subset(des, !is.na(y))
  waves <- seq_along(cs$sizes)
  for (g in c(1, 0)) {
    gname <- if (g == 1) "1" else "2"
    by <- svyby(~y, ~wave, subset(obs, grp == g), svymean, covmat = TRUE)
    for (h in waves) {
      emit(cs$id, gname, h, "estimate", coef(by)[h], "closed", "R survey svyby(~y, ~wave)")
      emit(cs$id, gname, h, "se", SE(by)[h], "closed", "R survey svyby(~y, ~wave)")
      if (h > 1) {
        contrast <- rep(0, length(waves)); contrast[h] <- 1; contrast[h - 1] <- -1
        ch <- svycontrast(by, contrast)
        emit(cs$id, gname, h, "change", coef(ch)[1], "closed", "R survey svyby(covmat = TRUE) + svycontrast")
        emit(cs$id, gname, h, "change_se", SE(ch)[1], "closed", "R survey svyby(covmat = TRUE) + svycontrast")
      }
    }
    fit <- svyglm(y ~ wave, subset(des, grp == g), family = quasibinomial,
                  control = glm.control(epsilon = 1e-15, maxit = 100))  # converged fully
    s <- coef(summary(fit))
    src <- "R survey svyglm(y ~ wave, family = quasibinomial): slope"
    emit(cs$id, gname, "", "trend_slope", s["wave", 1], "root", src)
    emit(cs$id, gname, "", "trend_se", s["wave", 2], "root", src)
    emit(cs$id, gname, "", "trend_p", s["wave", 4], "root", src)
    emit(cs$id, gname, "", "trend_df", fit$df.residual, "closed", src)
  }
  by <- svyby(~y, ~wave + grp, obs, svymean, covmat = TRUE)
  for (h in waves[-1]) {
    contrast <- setNames(rep(0, length(coef(by))), names(coef(by)))
    contrast[paste0(h, ".1")] <- 1; contrast[paste0(h, ".0")] <- -1
    contrast[paste0(h - 1, ".1")] <- -1; contrast[paste0(h - 1, ".0")] <- 1
    did <- svycontrast(by, contrast)
    src <- "R survey svyby(~y, ~wave + grp, covmat = TRUE) + svycontrast"
    emit(cs$id, "gap", h, "change", coef(did)[1], "closed", src)
    emit(cs$id, "gap", h, "change_se", SE(did)[1], "closed", src)
  }
}
out <- file("tests/golden/r_survey_waves.csv", "w")
writeLines(paste0("# ", R.version.string, ", survey ", packageVersion("survey"), "; written by notebooks/golden/r_survey_waves_reference.R"), out)
writeLines("case,group,wave,field,value,tolerance,source", out)
for (r in rows) writeLines(paste(r, collapse = ","), out)
close(out)
cat(length(rows), "rows\n")
