# The benchmark job in R data.table (fread + table + prop.test per answer, weighted
# shares, chisq.test per question, p.adjust).
suppressMessages(library(data.table))
setDTthreads(2)
d <- fread(commandArgs(TRUE)[1])
p <- numeric(20)
for (i in 1:20) {
  q <- paste0("q", i)
  tab <- table(d$role, d[[q]])
  wt <- d[!is.na(get(q)), .(w = sum(weight)), by = c("role", q)]
  wt[, share := w / sum(w), by = role]
  for (j in seq_len(ncol(tab))) for (r in 1:2) invisible(prop.test(tab[r, j], sum(tab[r, ]), correct = FALSE)$conf.int)
  p[i] <- suppressWarnings(chisq.test(tab, correct = FALSE)$p.value)
}
invisible(p.adjust(p, "holm")); invisible(p.adjust(p, "BH"))
cat("data.table done\n")
