# Golden values for design-based shares, differences and Rao-Scott tests from R survey
# (Debian r-cran-survey), under stratified, clustered, fpc and replicate-weight designs.
# Writes tests/fixtures/survey-design.csv (the respondents) and
# tests/golden/r_survey_design.json (R's answers). Run from the repository root:
#
#   apt-get install r-cran-survey r-cran-jsonlite
#   Rscript notebooks/golden/r_survey_design_reference.R
#
# The data (seeded): 5 strata; stratum s1 has a single PSU (a lonely PSU); clusters are
# nested in strata; a population count of PSUs per stratum (fpc); weights; two groups
# sharing clusters; q1 yes-no with item non-response; q2 single choice a/b/c with item
# non-response, where nobody in group 2 chose c (a share of 0). stratum2 merges s1 into
# s2, for the designs that cannot have a lonely PSU (replicates); BRR and Fay's BRR use
# two half-samples of clusters per stratum. q3 (yes-no) is asked only in group 1, with
# item non-response there: group 2 is an empty domain (R gives NaN for its share, its
# difference and its test; invitestat gives none).
suppressMessages({ library(survey); library(jsonlite) })
set.seed(20261201)
psus <- c(s1 = 1, s2 = 3, s3 = 4, s4 = 5, s5 = 6)
population <- c(s1 = 2, s2 = 10, s3 = 12, s4 = 40, s5 = 30)
rows <- list()
id <- 0
for (s in names(psus)) {
  for (j in seq_len(psus[[s]])) {
    m <- sample(12:30, 1)
    effect <- rnorm(1, 0, 0.8)
    for (i in seq_len(m)) {
      id <- id + 1
      g <- if (runif(1) < 0.35) 1 else 2
      p1 <- plogis(0.3 + effect + (g == 1) * 0.9)
      q1 <- if (runif(1) < 0.08) NA else as.integer(runif(1) < p1)
      q2 <- if (runif(1) < 0.1) NA else sample(c("a", "b", "c"), 1,
        prob = if (g == 1) c(0.5, 0.3, 0.2) else c(0.6, 0.4, 0))
      rows[[id]] <- data.frame(id = sprintf("r%03d", id), group = g,
        w = round(runif(1, 0.5, 3), 3), stratum = s,
        stratum2 = if (s == "s1") "s2" else s, psu = sprintf("c%d", j),
        fpc = population[[s]], q1 = q1, q2 = q2, stringsAsFactors = FALSE)
    }
  }
}
d <- do.call(rbind, rows)
set.seed(20261202)  # drawn after the rest, which stays as it was
d$q3 <- ifelse(d$group == 1 & runif(nrow(d)) > 0.1, as.integer(runif(nrow(d)) < 0.6), NA)
d$psu_id <- paste(d$stratum2, d$psu, sep = ".")
# Three waves of disjoint strata: stacked, the design is stratified within waves.
d$wave <- c(s2 = "w1", s3 = "w1", s4 = "w2", s5 = "w3")[d$stratum2]
# Replicate weights of a stratified cluster design without the lonely PSU.
base <- svydesign(ids = ~psu_id, strata = ~stratum2, weights = ~w, data = d, nest = TRUE)
jk1 <- as.svrepdesign(svydesign(ids = ~psu_id, weights = ~w, data = d), type = "JK1")
jkn <- as.svrepdesign(base, type = "JKn")
set.seed(7)
boot <- as.svrepdesign(base, type = "bootstrap", replicates = 25)
# BRR and Fay need two PSUs per stratum: each stratum's clusters in two halves.
d$half <- ave(as.integer(sub("c", "", d$psu)), d$stratum2,
              FUN = function(j) ifelse(j <= max(j) / 2, 1L, 2L))
d$half_id <- paste(d$stratum2, d$half, sep = ".")
halves <- svydesign(ids = ~half_id, strata = ~stratum2, weights = ~w, data = d, nest = TRUE)
brr <- as.svrepdesign(halves, type = "BRR")
fay <- as.svrepdesign(halves, type = "Fay", fay.rho = 0.3)
reps <- function(r, prefix) {
  w <- weights(r, "analysis")
  colnames(w) <- paste0(prefix, seq_len(ncol(w)))
  w
}
out_csv <- cbind(d[, c("id", "group", "w", "stratum", "stratum2", "psu", "psu_id", "fpc", "wave", "q1", "q2",
                   "q3")],
                 reps(jk1, "jk"), reps(jkn, "jn"), reps(boot, "bs"), reps(brr, "br"),
                 reps(fay, "fy"))
write.csv(out_csv, "tests/fixtures/survey-design.csv", row.names = FALSE, na = "")

# svyciprop(method = "likelihood") limits are emitted as likelihood_spline_*;
# likelihood_* are the exact roots of the same profile (likelihood.R). Under replicate
# weights svyciprop gives NA.
source("notebooks/golden/likelihood.R")

# Shares among those answering as ratios (svymean(na.rm = TRUE) inside svyby(covmat =
# TRUE) fails in survey 4.1); the same domain estimator.
z <- function(x) ifelse(is.na(x), 0, as.numeric(x))
with_q <- function(des) update(des, q1y = q1 == 1, q2a = q2 == "a", q2b = q2 == "b",
                               q2c = q2 == "c", grp = factor(group),
                               q1y0 = z(q1 == 1), q2a0 = z(q2 == "a"), q2b0 = z(q2 == "b"),
                               q2c0 = z(q2 == "c"), a1 = as.numeric(!is.na(q1)),
                               a2 = as.numeric(!is.na(q2)), q3y = q3 == 1, q3y0 = z(q3 == 1),
                               a3 = as.numeric(!is.na(q3)))
shares <- function(des) {
  out <- list()
  for (v in c("q1y", "q2a", "q2b", "q2c", "q3y")) {
    f <- as.formula(paste0("~", v, "0"))
    den <- as.formula(paste0("~a", substr(v, 2, 2)))
    by <- tryCatch(svyby(f, ~grp, des, svyratio, denominator = den, covmat = TRUE),
                   error = function(e) NULL)
    if (is.null(by)) {
      # Replicate designs refuse the empty domain ("All replicates contained NAs"): each
      # group's ratio on its own subset, NaN where R refuses it.
      est <- se <- c(NaN, NaN)
      for (g in 1:2) {
        r <- tryCatch(svyratio(f, den, subset(des, group == g)), error = function(e) NULL)
        if (!is.null(r)) { est[g] <- coef(r); se[g] <- SE(r) }
      }
      diff <- NULL
    } else {
      est <- coef(by)
      se <- SE(by)
      diff <- svycontrast(by, c(1, -1))
    }
    for (g in 1:2) {
      sub <- subset(des, group == g)
      if (!is.finite(est[g])) {  # the empty domain: R's share is 0 / 0
        out[[length(out) + 1]] <- list(answer = v, group = g, empty = TRUE,
                                       se_finite = is.finite(se[g]))
        next
      }
      r <- list(answer = v, group = g, estimate = unname(est[g]), se = unname(se[g]),
                df = degf(sub))
      m <- svymean(as.formula(paste0("~as.numeric(", v, ")")), sub, deff = "replace",
                   na.rm = TRUE)
      if (is.finite(deff(m))) r$deff_replace <- unname(deff(m))
      if (est[g] > 0 && est[g] < 1) {
        for (m in c("logit", "beta", "asin", "mean", "xlogit", "likelihood")) {
          ci <- svyciprop(as.formula(paste0("~I(", v, ")")), sub, method = m, na.rm = TRUE)
          if (m == "likelihood" && inherits(sub, "svyrep.design")) {
            # NA from svyciprop; R's own profile with its lambda is no interval either
            # (0.002 to 0.99999 for a share of 0.8).
            r$likelihood_missing <- TRUE
          } else if (m == "likelihood") {
            r$likelihood_spline_lower <- unname(confint(ci)[1])
            r$likelihood_spline_upper <- unname(confint(ci)[2])
            ci <- exact_likelihood_ci(as.formula(paste0(v, " ~ 1")), sub)
            r$likelihood_lower <- ci[1]
            r$likelihood_upper <- ci[2]
          } else {
            r[[paste0(m, "_lower")]] <- unname(confint(ci)[1])
            r[[paste0(m, "_upper")]] <- unname(confint(ci)[2])
          }
        }
      }
      out[[length(out) + 1]] <- r
    }
    out[[length(out) + 1]] <- if (is.null(diff) || !is.finite(coef(diff))) {
      list(answer = v, group = 0, empty = TRUE)
    } else {
      list(answer = v, group = 0, difference = unname(coef(diff)),
           difference_se = unname(SE(diff)))
    }
  }
  out
}
tests <- function(des) {
  out <- list()
  # With an empty domain R's F test has no value (NaN or an error): recorded as null.
  t <- tryCatch(svychisq(~q3 + grp, des, statistic = "F"), error = function(e) NULL)
  out$q3 <- list(finite = !is.null(t) && is.finite(t$p.value))
  for (v in c("q1", "q2")) {
    t <- svychisq(as.formula(paste0("~", v, " + grp")), des, statistic = "F")
    out[[v]] <- list(f = unname(t$statistic), ndf = unname(t$parameter[1]),
                     ddf = unname(t$parameter[2]), p = unname(t$p.value))
  }
  out
}
case <- function(des) list(shares = shares(with_q(des)), tests = tests(with_q(des)))
designs <- list()
for (lonely in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = lonely)
  designs[[paste0("strata_clusters_fpc_", lonely)]] <-
    case(svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, data = d, nest = TRUE))
}
options(survey.lonely.psu = "fail")
designs$strata_clusters <- case(base)
designs$strata_only <- case(svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d))
designs$clusters_only <- case(svydesign(ids = ~psu_id, weights = ~w, data = d))
designs$jk1 <- case(jk1)
designs$jkn <- case(jkn)
designs$bootstrap <- case(boot)
designs$brr <- case(brr)
designs$fay <- case(fay)
designs$bootstrap_mse <- case(svrepdesign(data = d, weights = ~w, repweights = reps(boot, "bs"),
  type = "bootstrap", combined.weights = TRUE, mse = TRUE))
# Successive-difference replicates (scale 4 / R) and type "other" with its own scales, on
# replicate columns above: the formulas are what is checked.
sdr <- svrepdesign(data = d, weights = ~w, repweights = reps(brr, "br"),
                   type = "successive-difference", combined.weights = TRUE)
designs$sdr <- case(sdr)
other <- svrepdesign(data = d, weights = ~w, repweights = reps(boot, "bs"), type = "other",
                     scale = 0.05, rscales = seq(0.6, 1.4, length.out = 25),
                     combined.weights = TRUE)
designs$other <- case(other)
# Waves: each wave's share of q1 = 1 per group, its change since the previous wave, the
# change of the gap between the groups, and the design-based trend (svyglm on the wave's
# score, the group a domain).
wd <- with_q(base)
wd <- update(wd, wave = factor(wave), score = as.numeric(factor(wave)))
by <- svyby(~q1y0, ~wave + grp, wd, svyratio, denominator = ~a1, covmat = TRUE)
est <- coef(by)
key <- function(w, g) which(names(est) == paste0("w", w, ".", g))
waves <- list()
for (g in 1:2) {
  for (w in 1:3) {
    r <- list(group = g, wave = w, estimate = unname(est[key(w, g)]),
              se = unname(SE(by)[key(w, g)]))
    if (w > 1) {
      cw <- rep(0, length(est)); cw[key(w, g)] <- 1; cw[key(w - 1, g)] <- -1
      ch <- svycontrast(by, cw)
      r$change <- unname(coef(ch)); r$change_se <- unname(SE(ch))
    }
    waves[[length(waves) + 1]] <- r
  }
}
gaps <- list()
for (w in 2:3) {
  cw <- rep(0, length(est))
  cw[key(w, 1)] <- 1; cw[key(w, 2)] <- -1; cw[key(w - 1, 1)] <- -1; cw[key(w - 1, 2)] <- 1
  gc <- svycontrast(by, cw)
  gaps[[length(gaps) + 1]] <- list(wave = w, change = unname(coef(gc)), se = unname(SE(gc)))
}
trends <- list()
for (g in 1:2) {
  m <- svyglm(q1y ~ score, subset(wd, group == g), family = quasibinomial,
              control = glm.control(epsilon = 1e-15, maxit = 100))  # converged fully
  s <- summary(m)$coefficients
  trends[[length(trends) + 1]] <- list(group = g, slope = s["score", 1], se = s["score", 2],
    p = s["score", 4], df = m$df.residual)
}
# The trend under replicate weights: R refits the logistic model with each replicate's
# weights (svyglm on the replicate design; the stacked waves share the replicates).
replicate_trends <- list()
for (nm in c("jk1", "boot", "fay")) {
  rd <- update(with_q(get(nm)), score = as.numeric(factor(wave)))
  for (g in 1:2) {
    m <- svyglm(q1y ~ score, subset(rd, group == g), family = quasibinomial,
                control = glm.control(epsilon = 1e-15, maxit = 100))
    s <- summary(m)$coefficients
    replicate_trends[[length(replicate_trends) + 1]] <- list(design = nm, group = g,
      slope = s["score", 1], se = s["score", 2], p = s["score", 4], df = m$df.residual)
  }
}
designs_waves <- list(waves = waves, gaps = gaps, trends = trends,
                      replicate_trends = replicate_trends)
meta <- list(
  survey = as.character(packageVersion("survey")), r = R.version.string,
  jk1 = list(scale = jk1$scale, rscales = jk1$rscales, replicates = ncol(jk1$repweights)),
  jkn = list(scale = jkn$scale, rscales = jkn$rscales, replicates = ncol(jkn$repweights)),
  bootstrap = list(scale = boot$scale, rscales = boot$rscales, replicates = ncol(boot$repweights)),
  brr = list(scale = brr$scale, rscales = brr$rscales, replicates = ncol(brr$repweights)),
  fay = list(scale = fay$scale, rscales = fay$rscales, replicates = ncol(fay$repweights),
             rho = 0.3),
  sdr = list(scale = sdr$scale, rscales = sdr$rscales, replicates = ncol(sdr$repweights)),
  other = list(scale = other$scale, rscales = other$rscales,
               replicates = ncol(other$repweights)))
writeLines(toJSON(list(meta = meta, designs = designs, waves = designs_waves), auto_unbox = TRUE, digits = NA,
                  pretty = TRUE),
           "tests/golden/r_survey_design.json")
