# Golden values for the change between panel waves that share respondents, from R
# survey (Debian r-cran-survey): the waves stacked as one design whose PSUs are the
# respondents, svydesign(ids = ~id, weights = ~w), each wave and group a domain, and the
# change since the previous wave by svyby(covmat = TRUE) + svycontrast; then the same
# under a stratified clustered design with an fpc, under bootstrap replicate weights and
# under strata of respondents (no clusters) with and without an fpc, the waves stacked
# with their strata, clusters and replicates shared (without clusters a respondent is
# one PSU of its stratum over all the waves: ids = ~id, nest = TRUE), and last under
# strata of respondents some of whom move stratum, with a lonely PSU. Writes
# tests/fixtures/panel-wave-1.csv .. panel-wave-3.csv, panel-design-wave-1.csv .. 3.csv,
# panel-moved-wave-1.csv .. 3.csv and tests/golden/r_survey_panel.json.
# Run from the repository root:
#
#   apt-get install r-cran-survey r-cran-jsonlite
#   Rscript notebooks/golden/r_survey_panel_reference.R
#
# The data (seeded): 150, 160 and 170 respondents; wave 2 keeps 100 of wave 1's, wave 3
# keeps 90 of wave 2's and 20 of wave 1's that skipped wave 2; a respondent's answers are
# correlated across waves, some change group, weights differ by wave, and about 8% of
# the answers are missing.
suppressMessages({ library(survey); library(jsonlite) })
set.seed(20261202)
people <- sprintf("p%03d", 1:400)
trait <- rnorm(400)
names(trait) <- people
w1 <- people[1:150]
w2 <- c(sample(w1, 100), people[151:210])
w3 <- c(sample(w2, 90), sample(setdiff(w1, w2), 20), people[211:270])
draw <- function(ids, wave) {
  g <- ifelse(trait[ids] + rnorm(length(ids), 0, 0.7) > 0.3, 1, 2)
  p <- plogis(-0.2 + 0.8 * trait[ids] + 0.3 * wave + 0.5 * (g == 1))
  q1 <- as.integer(runif(length(ids)) < p)
  q1[runif(length(ids)) < 0.08] <- NA
  data.frame(id = ids, grp = g, w = round(runif(length(ids), 0.5, 2.5), 3), q1 = q1,
             wave = wave, stringsAsFactors = FALSE)
}
waves <- list(draw(w1, 1), draw(w2, 2), draw(w3, 3))
for (i in 1:3) {
  write.csv(waves[[i]][, c("id", "grp", "w", "q1")],
            sprintf("tests/fixtures/panel-wave-%d.csv", i), row.names = FALSE, na = "")
}
d <- do.call(rbind, waves)
d$q1y0 <- ifelse(is.na(d$q1), 0, d$q1)
d$a1 <- as.numeric(!is.na(d$q1))
# Per group, the change of the share answering 1 since the previous wave, each wave
# and group a domain of the stacked design.
changes <- function(design) {
  by <- svyby(~q1y0, ~wave + grp, design, svyratio, denominator = ~a1, covmat = TRUE)
  est <- coef(by)
  key <- function(w, g) which(names(est) == paste0(w, ".", g, ":a1") | names(est) == paste0(w, ".", g))
  rows <- list()
  for (g in 1:2) {
    for (w in 2:3) {
      cw <- rep(0, length(est)); cw[key(w, g)] <- 1; cw[key(w - 1, g)] <- -1
      ch <- svycontrast(by, cw)
      rows[[length(rows) + 1]] <- list(group = g, wave = w, change = unname(coef(ch)),
                                       se = unname(SE(ch)[1]), df = degf(design))
    }
  }
  rows
}
des <- svydesign(ids = ~id, weights = ~w, data = d)
out <- changes(des)
meta <- list(survey = as.character(packageVersion("survey")), r = R.version.string,
             respondents = length(unique(d$id)),
             overlap = c(length(intersect(w1, w2)), length(intersect(w2, w3))))

# The same panel under a declared design, drawn after the rest (which stays as it was):
# every person in one of 4 strata and one of its 5 clusters in every wave (40 clusters
# in each stratum's population), and bootstrap replicate weights of that design made on
# the stacked waves, so that replicate r is the same resample of clusters in every wave.
# Written to tests/fixtures/panel-design-wave-1.csv .. 3.csv and read back, so R works
# on the numbers invitestat reads.
set.seed(20261203)
stratum_of <- setNames(rep(sprintf("s%d", 1:4), each = 100), people)
cluster_of <- setNames(sprintf("c%d", sample(1:5, 400, replace = TRUE)), people)
d$stratum <- unname(stratum_of[d$id])
d$cluster <- unname(cluster_of[d$id])
d$fpc <- 40
boot <- as.svrepdesign(svydesign(ids = ~cluster, strata = ~stratum, nest = TRUE, weights = ~w,
                                 data = d), type = "bootstrap", replicates = 20)
reps <- weights(boot, "analysis")
colnames(reps) <- paste0("bs", 1:20)
# Respondents in each stratum's population, for the design whose PSUs are respondents.
d$pop <- unname(c(s1 = 1500, s2 = 2000, s3 = 2500, s4 = 3000)[d$stratum])
dd <- cbind(d[, c("id", "grp", "w", "stratum", "cluster", "fpc", "pop", "q1")], reps)
for (i in 1:3) {
  write.csv(dd[d$wave == i, ], sprintf("tests/fixtures/panel-design-wave-%d.csv", i),
            row.names = FALSE, na = "")
}
back <- do.call(rbind, lapply(1:3, function(i) {
  x <- read.csv(sprintf("tests/fixtures/panel-design-wave-%d.csv", i), stringsAsFactors = FALSE)
  x$wave <- i
  x
}))
back$q1y0 <- ifelse(is.na(back$q1), 0, back$q1)
back$a1 <- as.numeric(!is.na(back$q1))
stacked <- list(
  clustered = svydesign(ids = ~cluster, strata = ~stratum, fpc = ~fpc, nest = TRUE,
                        weights = ~w, data = back),
  replicates = svrepdesign(data = back, repweights = "bs[0-9]+", weights = ~w,
                           type = "bootstrap", combined.weights = TRUE),
  strata = svydesign(ids = ~id, strata = ~stratum, nest = TRUE, weights = ~w, data = back),
  strata_fpc = svydesign(ids = ~id, strata = ~stratum, fpc = ~pop, nest = TRUE, weights = ~w,
                         data = back))
designs <- lapply(stacked, changes)

# Strata of respondents where some respondents move: in wave 3, the first 30 people
# sampled are in stratum s4 (new in that wave; each is then one PSU of s1 or s2 in the
# earlier waves and another of s4), and one respondent of wave 2 is alone in stratum s5,
# a lonely PSU, centred at the grand mean (lonely_psu = "adjust"). Written to
# tests/fixtures/panel-moved-wave-1.csv .. 3.csv and read back.
moved <- back[, c("id", "grp", "w", "stratum", "q1", "wave")]
moved$stratum[moved$wave == 3 & moved$id %in% people[1:30]] <- "s4"
moved$stratum[moved$wave == 2 & moved$id == moved$id[moved$wave == 2][1]] <- "s5"
for (i in 1:3) {
  write.csv(moved[moved$wave == i, c("id", "grp", "w", "stratum", "q1")],
            sprintf("tests/fixtures/panel-moved-wave-%d.csv", i), row.names = FALSE, na = "")
}
back <- do.call(rbind, lapply(1:3, function(i) {
  x <- read.csv(sprintf("tests/fixtures/panel-moved-wave-%d.csv", i), stringsAsFactors = FALSE)
  x$wave <- i
  x
}))
back$q1y0 <- ifelse(is.na(back$q1), 0, back$q1)
back$a1 <- as.numeric(!is.na(back$q1))
options(survey.lonely.psu = "adjust")
designs[["moved"]] <- changes(svydesign(ids = ~id, strata = ~stratum, nest = TRUE,
                                         weights = ~w, data = back))
writeLines(toJSON(list(meta = meta, changes = out, designs = designs), auto_unbox = TRUE,
                  digits = NA, pretty = TRUE),
           "tests/golden/r_survey_panel.json")
