# The design benchmark job in R survey: the stratified clustered design
# (svydesign(ids = ~cluster, strata = ~stratum, nest = TRUE, weights = ~weight)) or 80
# bootstrap replicate weights (svrepdesign(type = "bootstrap", combined.weights = TRUE)),
# then per question the domain shares with SEs (svyby/svymean) and the Rao-Scott test
# (svychisq), and p.adjust. Usage: Rscript job_survey_design.R FILE clustered|replicates
suppressMessages({ library(data.table); library(survey) })
args <- commandArgs(TRUE)
d <- fread(args[1])
des <- if (args[2] == "clustered") {
  svydesign(ids = ~cluster, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
} else {
  svrepdesign(data = d, weights = ~weight, repweights = "rep[0-9]+", type = "bootstrap",
              combined.weights = TRUE)
}
p <- numeric(20)
for (i in 1:20) {
  q <- paste0("q", i)
  invisible(svyby(as.formula(paste0("~factor(", q, ")")), ~role, des, svymean, na.rm = TRUE))
  p[i] <- svychisq(as.formula(paste0("~", q, " + role")), des, na.rm = TRUE)$p.value
}
invisible(p.adjust(p, "holm")); invisible(p.adjust(p, "BH"))
cat("survey design done\n")
