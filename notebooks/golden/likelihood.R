# The exact limits of R survey's likelihood interval for a share: the roots of the same
# profile svyciprop(method = "likelihood") interpolates with a spline through ten points
# (survey:::confint_profile, from a fit whose IRLS stopped at glm's default epsilon),
# computed with R's own glm machinery: a tightly converged svyglm of `f` (y ~ 1), its
# lambda (design over naive variance), the deviance at a fixed intercept from glm.fit,
# and uniroot. Sourced by the golden scripts that check the likelihood interval.
exact_likelihood_ci <- function(f, sub, level = 0.95) {
  m <- svyglm(f, sub, family = quasibinomial,
              control = glm.control(epsilon = 1e-15, maxit = 100))
  s <- summary(m)
  lambda <- m$cov.unscaled[1, 1] / m$naive.cov[1, 1]
  cutoff2 <- qt((1 - level) / 2, degf(sub))^2 * lambda
  mf <- model.frame(m); y <- model.response(mf); w <- model.weights(mf)
  dev_at <- function(b) glm.fit(x = matrix(0, length(y), 0), y = y, weights = w,
                                offset = rep(b, length(y)), family = quasibinomial())$deviance
  tau2 <- function(b) (dev_at(b) - deviance(m)) / s$dispersion - cutoff2
  b0 <- coef(m)[[1]]
  lo <- uniroot(tau2, c(b0 - 10, b0), tol = 1e-13)$root
  hi <- uniroot(tau2, c(b0, b0 + 10), tol = 1e-13)$root
  plogis(c(lo, hi))
}
