# Golden values for the multiple marginal independence (MMI) test of Bilder & Loughin
# (2004): one single-response variable (the groups) against one multiple-response variable
# of c binary items, as computed by R package MRCV, MI.test(data, I = 1, J = c) with
# type = "rs2" (second-order Rao-Scott adjusted X^2_S) and type = "bon" (Bonferroni).
# Writes tests/golden/mrcv.json. Run from the repository root:
#
#   Rscript notebooks/golden/mrcv_reference.R
#
# Made with R 4.2.2 (Debian 12 r-base-core) and MRCV 0.3-3 (Imports: tables; tables 0.9.28,
# which needs Debian's r-cran-knitr and r-cran-htmltools). MRCV 0.4-0 needs R >= 4.4; its
# MMI code is the same as 0.3-3's (only class() checks and warning suppression changed).
# Setup, from the packages' source trees (CRAN archive tarballs, or the cran/MRCV and
# cran/tables GitHub mirrors at "version 0.3-3" and "version 0.9.28"):
#
#   apt-get install -y r-base-core r-cran-knitr r-cran-htmltools
#   R CMD INSTALL tables_0.9.28.tar.gz && R CMD INSTALL MRCV_0.3-3.tar.gz
#
# Cases: MRCV's own farmer1 data (5 education levels x 5 items, 262 rows), the waves
# example's multi-response question read from data/waves-example/wave-1.csv, and seeded
# synthetic data (R's default Mersenne-Twister / Inversion RNG): items are a thresholded
# latent normal, sqrt(rho) * z + sqrt(1 - rho) * e_j > qnorm(1 - share[group, j]), so items
# are positively correlated within a respondent and shares differ by group; share 0 or 1
# gives a zero cell (nobody / everybody ticks the item in that group).
#
# waves_example_wave_1 holds base R's Wilson interval (prop.test(correct = FALSE)) and
# Fisher's exact test (fisher.test) for each of that file's answers and nets, by group.
#
# Per case the JSON has the sufficient statistics (n per group, ticked[i][j], both[i][j][k]
# with both[i][j][j] = ticked[i][j]; groups in sorted level order) and MRCV's outputs:
#   x2_s      X.sq.S, the sum of x2_s_ij
#   x2_s_ij   per-item Pearson X^2 of the r x 2 table (chisq.test(correct = FALSE)), after
#             MRCV replaces each 0 cell count by add.constant = 0.5
#   rs2_stat, rs2_df, rs2_p   X.sq.S.rs2, df.rs2, p.value.rs2. MRCV: with M =
#             D^-1 H G V G' H' and S = sum(Re(eigen(M)$values)^2),
#             rs2_stat = (r-1) c x2_s / S, rs2_df = (r-1)^2 c^2 / S; tau, V (and so S) use
#             the raw counts, without the 0.5
#   bon_p     p.value.bon = min(c * min_j p_j, 1); bon_p_ij = min(c * p_j, 1)
# MRCV's p-values are 1 - pchisq(q, df) (not the upper tail directly), so they are 0 below
# about 1e-16 and carry an absolute (not relative) error of about 1e-16. Extra fields, not
# MRCV's: rs2_p_upper, bon_p_upper, bon_p_ij_upper, the same p-values from
# pchisq(q, df, lower.tail = FALSE). The script also recomputes everything from the
# sufficient statistics alone (trace formula S = tr(M^2)) and prints the largest relative
# differences (about 1e-15 for every case).
suppressMessages(library(MRCV))

num <- function(x) ifelse(is.finite(x), sprintf("%.17g", x), "null")
arr <- function(x) paste0("[", paste(x, collapse = ", "), "]")
numarr <- function(x) arr(num(as.numeric(x)))

gen <- function(sizes, shares, rho) {
  r <- length(sizes); c <- ncol(shares); n <- sum(sizes)
  g <- rep(seq_len(r), sizes)
  z <- rnorm(n)
  e <- matrix(rnorm(n * c), n, c)
  lat <- sqrt(rho) * z + sqrt(1 - rho) * e
  y <- (lat > qnorm(1 - shares[g, , drop = FALSE])) * 1L
  d <- data.frame(group = g, y)
  names(d) <- c("group", paste0("Y", seq_len(c)))
  d
}

cases <- list()
data(farmer1, package = "MRCV")
cases[[1]] <- list(name = "farmer1", data = farmer1)

set.seed(1)
cases[[2]] <- list(name = "synthetic_3x4_seed1", data = gen(
  c(120, 90, 150),
  rbind(c(0.30, 0.50, 0.20, 0.60),
        c(0.45, 0.40, 0.35, 0.55),
        c(0.20, 0.60, 0.30, 0.70)), rho = 0.5))

set.seed(2)
d <- gen(c(60, 340), rbind(c(0.40, 0.55, 0.00),
                           c(0.35, 0.45, 0.20)), rho = 0.4)
d$Y3[sample(which(d$group == 1), 2)] <- 1L  # item 3 ticked by exactly 2 of the 60
cases[[3]] <- list(name = "synthetic_2x3_small_cell_seed2", data = d)

set.seed(3)
sizes <- sample(40:80, 7, replace = TRUE)
base <- runif(6, 0.25, 0.60)            # item shares, moved a little per group
shares <- round(outer(rep(1, 7), base) + matrix(rnorm(7 * 6, 0, 0.06), 7, 6), 3)
cases[[4]] <- list(name = "synthetic_7x6_seed3", data = gen(sizes, shares, rho = 0.3))

set.seed(4)
cases[[5]] <- list(name = "synthetic_3x4_zero_cell_seed4", data = gen(
  c(50, 70, 60),
  rbind(c(0.30, 0.40, 0.25, 0.50),
        c(0.35, 0.45, 0.00, 0.60),   # item 3: nobody in group 2
        c(0.20, 0.55, 0.30, 0.45)), rho = 0.5))

set.seed(5)
cases[[6]] <- list(name = "synthetic_4x3_zero_and_full_cells_seed5", data = gen(
  c(30, 45, 55, 40),
  rbind(c(0.50, 0.00, 0.30),   # item 2: nobody in group 1
        c(0.60, 0.40, 0.35),
        c(0.55, 1.00, 0.25),   # item 2: everybody in group 3
        c(1.00, 0.50, 0.40)),  # item 1: everybody in group 4
  rho = 0.4))

# The waves example's multi-response question, from the respondent-level file: the
# respondents who answered it (any of its columns not empty), an empty column of theirs
# not ticked, as invitestat's loader counts them.
wave1 <- read.csv("data/waves-example/wave-1.csv", colClasses = "character")
reasons <- c("reason_network", "reason_jobs", "reason_known", "reason_courtesy")
answered <- rowSums(wave1[, reasons] != "") > 0
w1 <- data.frame(recruiter = wave1$recruiter[answered])
for (a in reasons) w1[[a]] <- as.integer(wave1[[a]][answered] == "1")
cases[[7]] <- list(name = "waves_example_wave_1_reasons", data = w1)

# The same quantities from the sufficient statistics only (an independent route).
from_suff <- function(nn, ticked, both) {
  r <- length(nn); c <- ncol(ticked); N <- sum(nn)
  tab <- function(j) cbind(nn - ticked[, j], ticked[, j])
  x2ij <- sapply(seq_len(c), function(j) {
    t <- tab(j); t[t == 0] <- 0.5
    e <- outer(rowSums(t), colSums(t)) / sum(t)
    sum((t - e)^2 / e)
  })
  pbar <- colSums(ticked) / N
  a <- nn / N
  GVG <- matrix(0, r * c, r * c)
  for (i in seq_len(r)) {
    p <- ticked[i, ] / nn[i]
    idx <- ((i - 1) * c + 1):(i * c)
    GVG[idx, idx] <- (both[i, , ] / nn[i] - tcrossprod(p)) / a[i]
  }
  H <- diag(r * c) - kronecker(matrix(1, r, r) %*% diag(a, r), diag(c))
  Dinv <- kronecker(diag(nn / N, r), diag(1 / (pbar * (1 - pbar)), c))
  M <- Dinv %*% H %*% GVG %*% t(H)
  S <- sum(diag(M %*% M))
  x2 <- sum(x2ij)
  stat <- (r - 1) * c * x2 / S; df <- (r - 1)^2 * c^2 / S
  p <- 1 - pchisq(x2ij, r - 1)
  list(x2_s = x2, x2_s_ij = x2ij, rs2_stat = stat, rs2_df = df,
       rs2_p = 1 - pchisq(stat, df), bon_p = min(c * min(p), 1), bon_p_ij = pmin(c * p, 1))
}

reldiff <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

out <- character()
for (k in seq_along(cases)) {
  cs <- cases[[k]]; d <- cs$data
  c <- ncol(d) - 1
  lev <- sort(unique(d[, 1]))
  r <- length(lev)
  Y <- as.matrix(d[, -1])
  nn <- sapply(lev, function(l) sum(d[, 1] == l))
  ticked <- t(sapply(lev, function(l) colSums(Y[d[, 1] == l, , drop = FALSE])))
  both <- array(0, c(r, c, c))
  for (i in seq_len(r)) {
    Yi <- Y[d[, 1] == lev[i], , drop = FALSE]
    both[i, , ] <- crossprod(Yi)
  }
  warns <- character()
  run <- function(type) withCallingHandlers(
    MI.test(d, I = 1, J = c, type = type, print.status = FALSE),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  rs2 <- unclass(run("rs2"))
  bon <- unclass(run("bon"))
  res <- list(x2_s = rs2$general$X.sq.S, x2_s_ij = as.numeric(rs2$general$X.sq.S.ij),
              rs2_stat = rs2$rs2$X.sq.S.rs2, rs2_df = rs2$rs2$df.rs2, rs2_p = rs2$rs2$p.value.rs2,
              bon_p = bon$bon$p.value.bon, bon_p_ij = as.numeric(bon$bon$X.sq.S.ij.p.bon))
  pu <- pchisq(res$x2_s_ij, r - 1, lower.tail = FALSE)
  upper <- list(rs2_p_upper = pchisq(res$rs2_stat, res$rs2_df, lower.tail = FALSE),
                bon_p_upper = min(c * min(pu), 1), bon_p_ij_upper = pmin(c * pu, 1))
  stopifnot(identical(rs2$general$X.sq.S, bon$general$X.sq.S))
  chk <- from_suff(nn, ticked, both)
  cat(sprintf("%-42s r=%d c=%d N=%d  X2_S=%.6g rs2=%.6g df=%.6g p=%.6g bon=%.6g\n",
              cs$name, r, c, sum(nn), res$x2_s, res$rs2_stat, res$rs2_df, res$rs2_p, res$bon_p))
  cat(sprintf("  |x2_s - sum(x2_s_ij)| = %.3g; max rel. diff vs sufficient-statistics route: %s\n",
              abs(res$x2_s - sum(res$x2_s_ij)),
              paste(sprintf("%s %.2g", names(res), mapply(reldiff, res, chk[names(res)])),
                    collapse = ", ")))
  cat(sprintf("  upper-tail p: rs2 %.6g, bon %.6g\n", upper$rs2_p_upper, upper$bon_p_upper))
  cat(sprintf("  min cell: %d (ticked) / %d (not ticked); warnings signalled (MRCV mutes them): %s\n", min(ticked),
              min(nn - ticked), if (length(warns)) paste(unique(warns), collapse = " | ") else "none"))
  both_json <- arr(sapply(seq_len(r), function(i)
    arr(sapply(seq_len(c), function(j) arr(sprintf("%d", as.integer(both[i, j, ])))))))
  out <- c(out, paste0(
    "    {\n",
    "      \"name\": \"", cs$name, "\",\n",
    "      \"r\": ", r, ",\n",
    "      \"c\": ", c, ",\n",
    "      \"n\": ", arr(sprintf("%d", as.integer(nn))), ",\n",
    "      \"ticked\": ", arr(apply(ticked, 1, function(row) arr(sprintf("%d", as.integer(row))))), ",\n",
    "      \"both\": ", both_json, ",\n",
    "      \"x2_s\": ", num(res$x2_s), ",\n",
    "      \"x2_s_ij\": ", numarr(res$x2_s_ij), ",\n",
    "      \"rs2_stat\": ", num(res$rs2_stat), ",\n",
    "      \"rs2_df\": ", num(res$rs2_df), ",\n",
    "      \"rs2_p\": ", num(res$rs2_p), ",\n",
    "      \"bon_p\": ", num(res$bon_p), ",\n",
    "      \"bon_p_ij\": ", numarr(res$bon_p_ij), ",\n",
    "      \"rs2_p_upper\": ", num(upper$rs2_p_upper), ",\n",
    "      \"bon_p_upper\": ", num(upper$bon_p_upper), ",\n",
    "      \"bon_p_ij_upper\": ", numarr(upper$bon_p_ij_upper), "\n",
    "    }"))
}

# Base R on the same file for each answer and net: the share's Wilson interval
# (prop.test(correct = FALSE)) and Fisher's exact test between the two groups.
share_rows <- c()
nets <- list(
  reason_career = function(d) ifelse(rowSums(d[, reasons] != "") == 0, "",
    ifelse(d$reason_network == "1" | d$reason_jobs == "1", "1", "0")),
  main_use_jobs = function(d) ifelse(d$main_use == "", "", ifelse(d$main_use %in% c("1", "2"), "1", "0")))
items <- c(setNames(lapply(reasons, function(a) function(d)
  ifelse(rowSums(d[, reasons] != "") == 0, "", ifelse(d[[a]] == "1", "1", "0"))), reasons), nets)
for (q in names(items)) {
  v <- items[[q]](wave1)
  x <- c(); n <- c()
  for (g in c("1", "0")) {
    ans <- v[wave1$recruiter == g & v != ""]
    x <- c(x, sum(ans == "1")); n <- c(n, length(ans))
  }
  ci <- sapply(1:2, function(i) prop.test(x[i], n[i], correct = FALSE)$conf.int)
  p <- fisher.test(matrix(c(x[1], n[1] - x[1], x[2], n[2] - x[2]), 2))$p.value
  share_rows <- c(share_rows, paste0(
    "    { \"question\": \"", q, "\", \"groups\": [\"1\", \"0\"], \"x\": ", arr(x), ", \"n\": ", arr(n),
    ", \"wilson_lower\": ", numarr(ci[1, ]), ", \"wilson_upper\": ", numarr(ci[2, ]),
    ", \"fisher_p\": ", num(p), " }"))
}

json <- paste0(
  "{\n",
  "  \"source\": \"MRCV MI.test(data, I = 1, J = c, type = 'rs2' and 'bon'), add.constant = 0.5; written by notebooks/golden/mrcv_reference.R\",\n",
  "  \"r_version\": \"", R.version.string, "\",\n",
  "  \"mrcv_version\": \"", packageDescription("MRCV")$Version, "\",\n",
  "  \"tables_version\": \"", packageDescription("tables")$Version, "\",\n",
  "  \"cases\": [\n", paste(out, collapse = ",\n"), "\n  ],\n",
  "  \"waves_example_wave_1\": [\n", paste(share_rows, collapse = ",\n"), "\n  ]\n",
  "}\n")
dir.create("tests/golden", showWarnings = FALSE, recursive = TRUE)
writeLines(json, "tests/golden/mrcv.json", sep = "")
cat("wrote tests/golden/mrcv.json\n")
