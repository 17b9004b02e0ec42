# Golden values for weights calibrated to population margins, from R survey (Debian
# r-cran-survey): post-stratification, raking, linear calibration (unbounded and
# bounded), raking calibration with trimming, and raking of replicate weights, each
# with the variance R computes after the calibration. Reads
# tests/fixtures/survey-design.csv (written by r_survey_design_reference.R), adds a
# seeded region column and writes tests/fixtures/survey-weighting.csv and
# tests/golden/r_survey_weighting.json. Run from the repository root:
#
#   apt-get install r-cran-survey r-cran-jsonlite
#   Rscript notebooks/golden/r_survey_weighting_reference.R
#
# The margins are the group (1 or 2) and the region (north, south, west); the
# populations differ from the sample's shares so that every factor differs from 1.
suppressMessages({ library(survey); library(jsonlite) })
d <- read.csv("tests/fixtures/survey-design.csv", stringsAsFactors = FALSE,
              colClasses = c(id = "character", q2 = "character"))
d$q2[d$q2 == ""] <- NA
set.seed(20261202)
d$region <- sample(c("north", "south", "west"), nrow(d), replace = TRUE, prob = c(0.3, 0.45, 0.25))
write.csv(d, "tests/fixtures/survey-weighting.csv", row.names = FALSE, na = "")

total <- 800
pop_group <- data.frame(group = c(1, 2), Freq = total * c(0.3, 0.7))
pop_region <- data.frame(region = c("north", "south", "west"), Freq = total * c(0.4, 0.35, 0.25))
pop_cross <- expand.grid(region = c("north", "south", "west"), group = c(1, 2),
                         stringsAsFactors = FALSE)
pop_cross$Freq <- total * c(0.4, 0.35, 0.25)[match(pop_cross$region, pop_region$region)] *
  c(0.3, 0.7)[pop_cross$group]
margins <- list(~group, ~region)
populations <- list(pop_group, pop_region)

# The groups' shares as ratios over the whole sample (the domain estimator of
# svyby(svyratio); svyby(covmat = TRUE) fails on calibrated designs in survey 4.1).
z <- function(x) ifelse(is.na(x), 0, as.numeric(x))
with_q <- function(des) update(des, q1y = q1 == 1, q2a = q2 == "a", q2b = q2 == "b",
                               q2c = q2 == "c", grp = factor(group),
                               q1y0 = z(q1 == 1), q2a0 = z(q2 == "a"), q2b0 = z(q2 == "b"),
                               q2c0 = z(q2 == "c"), a1 = as.numeric(!is.na(q1)),
                               a2 = as.numeric(!is.na(q2)))
shares <- function(des) {
  out <- list()
  for (v in c("q1y", "q2a", "q2b", "q2c")) {
    a <- if (v == "q1y") "a1" else "a2"
    des2 <- eval(parse(text = sprintf(
      "update(des, n1 = %s0 * (group == 1), n2 = %s0 * (group == 2), d1 = %s * (group == 1), d2 = %s * (group == 2))",
      v, v, a, a)))
    r <- svyratio(~n1 + n2, ~d1 + d2, des2, covmat = TRUE)
    est <- c(coef(r)["n1/d1"], coef(r)["n2/d2"])
    vc <- vcov(r)[c("n1/d1", "n2/d2"), c("n1/d1", "n2/d2")]
    for (g in 1:2) {
      sub <- subset(des, group == g)
      r <- list(answer = v, group = g, estimate = unname(est[g]), se = sqrt(vc[g, g]),
                df = degf(sub))
      if (est[g] > 0 && est[g] < 1) {
        for (m in c("logit", "beta")) {
          ci <- svyciprop(as.formula(paste0("~I(", v, ")")), sub, method = m, na.rm = TRUE)
          r[[paste0(m, "_lower")]] <- unname(confint(ci)[1])
          r[[paste0(m, "_upper")]] <- unname(confint(ci)[2])
        }
      }
      out[[length(out) + 1]] <- r
    }
    out[[length(out) + 1]] <- list(answer = v, group = 0, difference = unname(est[1] - est[2]),
                                   difference_se = sqrt(vc[1, 1] + vc[2, 2] - 2 * vc[1, 2]))
  }
  out
}
tests <- function(des) {
  out <- list()
  for (v in c("q1", "q2")) {
    t <- svychisq(as.formula(paste0("~", v, " + grp")), des, statistic = "F")
    out[[v]] <- list(f = unname(t$statistic), p = unname(t$p.value))
  }
  out
}
case <- function(des, extra = list()) {
  c(list(shares = shares(with_q(des)), tests = tests(with_q(des)),
         weights = unname(weights(des, "sampling"))), extra)
}

base <- svydesign(ids = ~psu_id, strata = ~stratum2, weights = ~w, data = d, nest = TRUE)
strata_only <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
clusters_only <- svydesign(ids = ~psu_id, weights = ~w, data = d)
weights_only <- svydesign(ids = ~1, weights = ~w, data = d)
tight <- list(epsilon = 1e-10, maxit = 200)

cases <- list()
cases$poststratify_strata_clusters <- case(postStratify(base, ~region + group, pop_cross))
cases$poststratify_weights_only <- case(postStratify(weights_only, ~group, pop_group))
cases$rake_strata_clusters <- case(rake(base, margins, populations, control = tight))
cases$calibrate_linear_strata_only <- case(calibrate(strata_only, margins, populations))
# Bounds inside the unbounded factors' range, so that they bind.
g <- weights(calibrate(clusters_only, margins, populations)) / d$w
bounds <- c(1 - 0.9 * (1 - min(g)), 1 + 0.9 * (max(g) - 1))
cases$calibrate_bounded_clusters_only <- case(
  calibrate(clusters_only, margins, populations, bounds = bounds, calfun = "linear",
            epsilon = 1e-12, maxit = 100), list(bounds = bounds))
g <- weights(calibrate(base, margins, populations, calfun = "raking", epsilon = 1e-12)) / d$w
trim <- c(1 - 0.9 * (1 - min(g)), 1 + 0.9 * (max(g) - 1))
cases$calibrate_raking_trim_strata_clusters <- suppressMessages(case(
  calibrate(base, margins, populations, calfun = "raking", trim = trim, epsilon = 1e-12,
            maxit = 100), list(trim = trim)))
jkn <- svrepdesign(data = d, weights = ~w, repweights = "jn[0-9]+", type = "JKn",
                   combined.weights = TRUE,
                   rscales = fromJSON("tests/golden/r_survey_design.json")$meta$jkn$rscales)
cases$rake_jkn <- case(rake(jkn, margins, populations, control = tight))

# Weighted pairwise comparisons of three groups (the regions as the grouping): the
# difference of the domain shares of q1 = 1, its SE from svyratio's covariance, the Wald
# p-value and Holm's adjustment over the three pairs.
pairwise <- function(des) {
  des <- with_q(des)
  des <- update(des, nN = q1y0 * (region == "north"), nS = q1y0 * (region == "south"),
                nW = q1y0 * (region == "west"), dN = a1 * (region == "north"),
                dS = a1 * (region == "south"), dW = a1 * (region == "west"))
  r <- svyratio(~nN + nS + nW, ~dN + dS + dW, des, covmat = TRUE)
  keys <- c("nN/dN", "nS/dS", "nW/dW")
  est <- coef(r)[keys]
  vc <- vcov(r)[keys, keys]
  out <- list()
  for (ab in list(c(1, 2), c(1, 3), c(2, 3))) {
    a <- ab[1]; b <- ab[2]
    d <- unname(est[a] - est[b])
    se <- sqrt(vc[a, a] + vc[b, b] - 2 * vc[a, b])
    out[[length(out) + 1]] <- list(a = a, b = b, difference = d, se = se,
                                   p = 2 * pnorm(-abs(d / se)))
  }
  holm <- p.adjust(sapply(out, function(x) x$p), "holm")
  for (i in seq_along(out)) out[[i]]$p_holm <- holm[i]
  out
}
pairs <- list(strata_clusters = pairwise(base),
              rake_strata_clusters = pairwise(rake(base, margins, populations, control = tight)))

meta <- list(survey = as.character(packageVersion("survey")), r = R.version.string,
             total = total, group = pop_group$Freq, region = pop_region$Freq,
             cross = pop_cross$Freq)
writeLines(toJSON(list(meta = meta, cases = cases, pairwise = pairs), auto_unbox = TRUE, digits = NA,
                  pretty = TRUE),
           "tests/golden/r_survey_weighting.json")
