# The benchmark job in R survey, weighted: svydesign(ids = ~1, weights = ~weight),
# svyby/svymean per question (domain SEs), Rao-Scott svychisq, p.adjust.
suppressMessages({ library(data.table); library(survey) })
d <- fread(commandArgs(TRUE)[1])
des <- svydesign(ids = ~1, weights = ~weight, data = d)
p <- numeric(20)
for (i in 1:20) {
  q <- paste0("q", i)
  f <- as.formula(paste0("~factor(", q, ")"))
  invisible(svyby(f, ~role, des, svymean, na.rm = TRUE))
  p[i] <- svychisq(as.formula(paste0("~", q, " + role")), des, na.rm = TRUE)$p.value
}
invisible(p.adjust(p, "holm")); invisible(p.adjust(p, "BH"))
cat("survey done\n")
