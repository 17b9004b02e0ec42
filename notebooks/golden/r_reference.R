# Golden reference values from base R (stats). Writes tests/golden/r.csv, read by
# tests/integration/golden.rs. Run from the repository root:
#
#   apt-get install r-base-core
#   Rscript notebooks/golden/r_reference.R
#
# Columns as in python.csv. R's fisher.test conf.int and estimate are NOT used: its
# uniroot tolerance leaves only ~4 correct digits (3.81648764 vs 3.816596883).
rows <- list()
emit <- function(fun, args, field, value, tol, source) {
  if (!is.finite(value)) return(invisible())
  a <- paste(names(args), unlist(lapply(args, function(v) format(v, digits = 17))), sep = "=", collapse = " ")
  rows[[length(rows) + 1]] <<- c(fun, a, field, sprintf("%.17g", value), tol, source)
}
alts <- c("two.sided" = "two-sided", "less" = "less", "greater" = "greater")
one <- list(c(52, 60), c(0, 60), c(60, 60), c(1, 1), c(0, 1), c(13, 60), c(214, 340), c(3, 340),
            c(1, 1e6), c(999999, 1e6), c(7, 25), c(0, 10), c(10, 10), c(17, 400))
for (xn in one) for (level in c(0.95, 0.99, 0.8)) for (ra in names(alts)) {
  x <- xn[1]; n <- xn[2]; alt <- alts[[ra]]
  args <- list(x = x, n = n, level = level, alt = alt)
  ci <- binom.test(x, n, alternative = ra, conf.level = level)$conf.int
  emit("ci", c(args, method = "clopper-pearson"), "lower", ci[1], "exact", "R binom.test")
  emit("ci", c(args, method = "clopper-pearson"), "upper", ci[2], "exact", "R binom.test")
  ci <- suppressWarnings(prop.test(x, n, alternative = ra, conf.level = level, correct = FALSE)$conf.int)
  emit("ci", c(args, method = "wilson"), "lower", ci[1], "closed", "R prop.test(correct = FALSE)")
  emit("ci", c(args, method = "wilson"), "upper", ci[2], "closed", "R prop.test(correct = FALSE)")
  if (abs(x - n / 2) >= 0.5) {  # R shrinks the correction when x is within 1/2 of n p0
    ci <- suppressWarnings(prop.test(x, n, alternative = ra, conf.level = level)$conf.int)
    emit("ci", c(args, method = "wilson-cc"), "lower", ci[1], "closed", "R prop.test()")
    emit("ci", c(args, method = "wilson-cc"), "upper", ci[2], "closed", "R prop.test()")
  }
  for (p0 in c(0.5, 0.3, 0.01)) {
    # Below ~1e-300 binom.test returns sums of subnormal rounding noise (3e-323 where the
    # true p-value is 10^-301024); those are checked against mpmath in python.csv.
    p <- binom.test(x, n, p0, alternative = ra)$p.value
    if (p > 1e-300) emit("binom_test", list(x = x, n = n, p0 = p0, alt = alt), "p", p, "exact", "R binom.test")
  }
}
two <- list(c(52, 60, 214, 340), c(13, 60, 177, 340), c(24, 60, 3, 340), c(4, 60, 71, 340),
            c(32, 60, 102, 340), c(47, 60, 245, 340), c(56, 70, 48, 80), c(0, 10, 5, 10),
            c(6, 18, 12, 17), c(40, 42, 20, 320), c(3, 4, 1, 4), c(0, 60, 3, 340), c(60, 60, 214, 340),
            c(45, 100, 30, 100), c(520, 600, 2140, 3400))
for (t in two) {
  x1 <- t[1]; n1 <- t[2]; x2 <- t[3]; n2 <- t[4]
  g <- list(x1 = x1, n1 = n1, x2 = x2, n2 = n2)
  m <- matrix(c(x1, x2, n1 - x1, n2 - x2), 2)
  for (ra in names(alts)) {
    a <- c(g, alt = alts[[ra]])
    emit("test2", c(a, method = "fisher"), "p", fisher.test(m, alternative = ra)$p.value, "exact", "R fisher.test")
    for (level in c(0.95, 0.9)) {
      b <- c(g, level = level, alt = alts[[ra]])
      ci <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), alternative = ra, conf.level = level, correct = FALSE)$conf.int)
      emit("diff", c(b, method = "wald"), "lower", ci[1], "closed", "R prop.test(correct = FALSE)")
      emit("diff", c(b, method = "wald"), "upper", ci[2], "closed", "R prop.test(correct = FALSE)")
      ci <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), alternative = ra, conf.level = level)$conf.int)
      emit("diff", c(b, method = "wald-cc"), "lower", ci[1], "closed", "R prop.test()")
      emit("diff", c(b, method = "wald-cc"), "upper", ci[2], "closed", "R prop.test()")
    }
  }
  a <- c(g, alt = "two-sided")
  for (correct in c(FALSE, TRUE)) {
    r <- suppressWarnings(chisq.test(m, correct = correct))
    meth <- if (correct) "chi2-yates" else "chi2"
    emit("test2", c(a, method = meth), "statistic", unname(r$statistic), "closed", "R chisq.test")
    emit("test2", c(a, method = meth), "p", r$p.value, "closed", "R chisq.test")
  }
}
psets <- list(c(0.0005, 0.009, 0.02, 0.04, 0.3), c(0.01, 0.02, 0.03, 0.04),
              c(0.3, 0.01, 0.5, 0.01, 1e-40, 0.049), c(1.0), c(0.2, 0.2, 0.2))
for (ps in psets) for (meth in c("bonferroni", "holm", "hochberg", "BH", "BY")) {
  adj <- p.adjust(ps, meth)
  for (i in seq_along(adj)) {
    pl <- paste(sapply(ps, function(v) { s <- format(v, digits = 17); s }), collapse = ";")
    emit("adjust", list(method = tolower(meth), p = pl, i = i - 1), "adjusted", adj[i], "closed", "R p.adjust")
  }
}
for (cfg in list(c(0.73, 0.63, 340), c(0.87, 0.63, 60), c(0.5, 0.3, 50))) {
  r <- power.prop.test(n = cfg[3], p1 = cfg[1], p2 = cfg[2], strict = TRUE)
  emit("power", list(p1 = cfg[1], p2 = cfg[2], n1 = cfg[3], n2 = cfg[3], alpha = 0.05, alt = "two-sided"),
       "power", r$power, "closed", "R power.prop.test(strict = TRUE)")
}
r <- power.prop.test(p1 = 0.73, p2 = 0.63, power = 0.8, tol = 1e-14)
emit("samplesize", list(p1 = 0.73, p2 = 0.63, ratio = 1, alpha = 0.05, power = 0.8, alt = "two-sided"),
     "n1", r$n, "root", "R power.prop.test(tol = 1e-14)")
for (p in c(0.975, 0.995, 1e-10, 1e-300)) emit("qnorm", list(p = p), "value", qnorm(p), "closed", "R qnorm")
for (z in c(1.96, 10, 38, 40, 100)) emit("pnorm_ln_upper", list(z = z), "value", pnorm(z, lower.tail = FALSE, log.p = TRUE), "closed", "R pnorm(log.p = TRUE)")
for (cfg in list(c(0.025, 52, 9), c(0.975, 53, 8), c(1e-10, 0.5, 60.5), c(0.025, 1, 1e6), c(0.5, 3.5, 2.5)))
  emit("qbeta", list(p = cfg[1], a = cfg[2], b = cfg[3]), "value", qbeta(cfg[1], cfg[2], cfg[3]), "exact", "R qbeta")
for (x in c(0.5, 1.5, 10, 100.5, 1e6)) emit("lgamma", list(x = x), "value", lgamma(x), "closed", "R lgamma")
for (cfg in list(c(0.975, 59), c(0.975, 399), c(0.975, 1e6), c(0.995, 3), c(0.9, 1), c(0.025, 7.5), c(1e-10, 30)))
  emit("qt", list(p = cfg[1], df = cfg[2]), "value", qt(cfg[1], cfg[2]), "exact", "R qt")
for (cfg in list(c(2.0009953, 59), c(-1.3, 4.5), c(40, 10), c(0.5, 1e6)))
  emit("pt_upper", list(t = cfg[1], df = cfg[2]), "value", pt(cfg[1], cfg[2], lower.tail = FALSE), "exact", "R pt(lower.tail = FALSE)")
# 2 x k tables (successes over k groups): Pearson chi-square and Fisher-Freeman-Halton.
kgroups <- list(list(x = c(10, 7, 6), n = c(10, 10, 11)), list(x = c(11, 7, 6), n = c(11, 10, 11)),
                list(x = c(5, 14, 11), n = c(5, 20, 20)), list(x = c(3, 9, 2, 7), n = c(12, 15, 10, 9)),
                list(x = c(1, 1, 1, 1), n = c(10, 10, 11, 19)), list(x = c(20, 10), n = c(25, 30)),
                # A rare answer, and a near-universal one, among 15,000; two large groups.
                list(x = c(2, 3, 1), n = c(5000, 5000, 5000)), list(x = c(4998, 4995, 4999), n = c(5000, 5000, 5000)),
                list(x = c(5200, 2140), n = c(6000, 3400)))
for (t in kgroups) {
  m <- rbind(t$x, t$n - t$x)
  g <- list(x = paste(t$x, collapse = ";"), n = paste(t$n, collapse = ";"))
  emit("ffh", g, "p", fisher.test(m)$p.value, "exact", "R fisher.test (r x c)")
  r <- suppressWarnings(chisq.test(m, correct = FALSE))
  emit("chisq_k", g, "statistic", unname(r$statistic), "closed", "R chisq.test (r x c)")
  emit("chisq_k", g, "p", r$p.value, "closed", "R chisq.test (r x c)")
}
# McNemar on paired tables (both, a_only, b_only, neither).
for (t in list(c(22, 26, 7, 0), c(29, 19, 0, 7), c(100, 117, 3, 125), c(5, 3, 3, 9), c(10, 0, 4, 1))) {
  g <- list(both = t[1], a_only = t[2], b_only = t[3], neither = t[4])
  d <- t[2] + t[3]
  if (d > 0) {
    emit("mcnemar_exact", c(g, alt = "two-sided"), "p", binom.test(t[2], d)$p.value, "exact", "R binom.test on discordant pairs")
    emit("mcnemar_exact", c(g, alt = "greater"), "p", binom.test(t[2], d, alternative = "greater")$p.value, "exact", "R binom.test on discordant pairs")
    r <- mcnemar.test(matrix(c(t[1], t[3], t[2], t[4]), 2), correct = FALSE)
    emit("mcnemar_z2", g, "statistic", unname(r$statistic), "closed", "R mcnemar.test(correct = FALSE)")
  }
}
# r x c tables (answers x groups): chi-square and Fisher-Freeman-Halton.
for (t in list(matrix(c(11, 21, 21, 179, 2, 164), 3, byrow = TRUE), matrix(c(3, 1, 4, 1, 5, 9, 2, 6, 5), 3, byrow = TRUE),
               matrix(c(8, 2, 0, 3, 5, 4, 1, 2, 6, 2, 1, 3), 4, byrow = TRUE), matrix(c(5, 0, 0, 5), 2))) {
  g <- list(table = paste(apply(t, 1, paste, collapse = ";"), collapse = "|"))
  if (sum(t) < 100) emit("ffh_rc", g, "p", fisher.test(t)$p.value, "exact", "R fisher.test (r x c)")
  r <- suppressWarnings(chisq.test(t, correct = FALSE))
  emit("chisq_rc", g, "statistic", unname(r$statistic), "closed", "R chisq.test (r x c)")
  emit("chisq_rc", g, "p", r$p.value, "closed", "R chisq.test (r x c)")
}
# Cochran-Armitage trend test over waves.
for (t in list(list(x = c(30, 38, 45), n = c(100, 100, 100)), list(x = c(52, 48, 61, 70), n = c(60, 58, 75, 80)),
               list(x = c(5, 5, 6), n = c(50, 60, 55)))) {
  r <- prop.trend.test(t$x, t$n)
  g <- list(x = paste(t$x, collapse = ";"), n = paste(t$n, collapse = ";"))
  emit("trend", g, "statistic", unname(r$statistic), "closed", "R prop.trend.test")
  emit("trend", g, "p", r$p.value, "closed", "R prop.trend.test")
}
out <- file("tests/golden/r.csv", "w")
writeLines(paste0("# ", R.version.string, "; written by notebooks/golden/r_reference.R"), out)
writeLines("function,args,field,value,tolerance,source", out)
for (r in rows) writeLines(paste(r, collapse = ","), out)
close(out)
cat(length(rows), "rows\n")
