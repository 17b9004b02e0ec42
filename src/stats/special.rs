//! Special functions, accurate in the far tails.
//!
//! - Normal and chi-square tails come from the regularized incomplete gamma function
//!   (series below `a + 1`, Lentz continued fraction above), in log space, so
//!   `normal_ln_sf(40.0)` is finite and exact to about 1e-14 relative where statrs
//!   returns 0.
//! - Binomial and beta densities use Loader's saddle-point form (`stirlerr`, `bd0`),
//!   as R's `dbinom` does, so they stay accurate to ~1e-14 at n = 1e6 and beyond.
//! - The regularized incomplete beta function (and so Clopper-Pearson and Jeffreys
//!   bounds) uses the continued fraction on the side where it converges, returning
//!   both tails in log space; quantiles are found by Brent's method to full precision.
//!
//! Only `ln_gamma` is taken from statrs (tested against R's `lgamma` in the golden
//! tests); statrs' own normal tail, beta inverse and t quantile are not used
//! (see the README's "Numerics" section for why).

use super::roots;

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
const LN_2PI: f64 = 1.837_877_066_409_345_5;
/// ln(sqrt(pi)) = lnGamma(1/2).
const LN_SQRT_PI: f64 = 0.572_364_942_924_700_1;

/// `ln Gamma(x)` for `x > 0` (statrs' Lanczos approximation).
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// `ln(exp(a) + exp(b))` without overflow.
pub fn ln_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

/// `ln(1 - exp(a))` for `a <= 0`, accurate at both ends (Maechler 2012).
pub fn ln_1m_exp(a: f64) -> f64 {
    if a >= 0.0 {
        return f64::NEG_INFINITY;
    }
    if a > -std::f64::consts::LN_2 { (-a.exp_m1()).ln() } else { (-a.exp()).ln_1p() }
}

/// Loader's `stirlerr(n) = ln Gamma(n + 1) - (n + 1/2) ln n + n - ln sqrt(2 pi)`.
pub(crate) fn stirlerr(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - LN_SQRT_2PI;
    }
    let nn = n * n;
    if n > 500.0 {
        return (S0 - S1 / nn) / n;
    }
    if n > 80.0 {
        return (S0 - (S1 - S2 / nn) / nn) / n;
    }
    if n > 35.0 {
        return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
    }
    (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
}

/// Loader's deviance term `bd0(x, m) = x ln(x / m) + m - x`, stable when `x ~ m`.
pub(crate) fn bd0(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        return s;
    }
    x * (x / m).ln() + m - x
}

/// `ln[ Gamma(k + j + 1) / (Gamma(k + 1) Gamma(j + 1)) p^k q^j ]` for real `k, j >= 0`,
/// where `q = 1 - p` is passed separately to keep precision near 1.
///
/// With integers this is the binomial log density `ln dbinom(k, k + j, p)`
/// (Loader's `dbinom_raw`, as in R).
pub fn ln_binom_kernel(k: f64, j: f64, p: f64, q: f64) -> f64 {
    let n = k + j;
    if k == 0.0 {
        if j == 0.0 {
            return 0.0;
        }
        return if p < 0.1 { -bd0(n, n * q) - n * p } else { n * q.ln() };
    }
    if j == 0.0 {
        return if q < 0.1 { -bd0(n, n * p) - n * q } else { n * p.ln() };
    }
    if p == 0.0 || q == 0.0 {
        return f64::NEG_INFINITY;
    }
    // n p and n q from the smaller of p and q: the larger was computed as 1 minus it
    // and has lost the small one's relative precision (at n = 1e10 and p = 1 - 4e-10,
    // n p from p is off by 1e-6 where it matters to 1e-16).
    let (np, nq) = if p <= q { (n * p, n - n * p) } else { (n - n * q, n * q) };
    let lc = stirlerr(n) - stirlerr(k) - stirlerr(j) - bd0(k, np) - bd0(j, nq);
    let lf = LN_2PI + k.ln() + j.ln() - n.ln();
    lc - 0.5 * lf
}

/// Regularized incomplete gamma tails `(ln P(a, x), ln Q(a, x))` for `a > 0`, `x >= 0`.
pub fn ln_gamma_tails(a: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (f64::NEG_INFINITY, 0.0);
    }
    if x.is_infinite() {
        return (0.0, f64::NEG_INFINITY);
    }
    let lga = if a == 0.5 { LN_SQRT_PI } else { ln_gamma(a) };
    let ln_front = a * x.ln() - x - lga;
    if x < a + 1.0 {
        // Series: P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a+1)...(a+n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        let ln_p = ln_front + sum.ln();
        (ln_p, ln_1m_exp(ln_p))
    } else {
        // Continued fraction for Q (modified Lentz).
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        let ln_q = ln_front + h.ln();
        (ln_1m_exp(ln_q), ln_q)
    }
}

/// `ln P(Z > z)` for a standard normal Z.
pub fn normal_ln_sf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let (ln_p, ln_q) = ln_gamma_tails(0.5, 0.5 * z * z);
    if z >= 0.0 {
        ln_q - std::f64::consts::LN_2
    } else {
        // 1 - Q/2 = 1/2 + P/2
        ln_add_exp(-std::f64::consts::LN_2, ln_p - std::f64::consts::LN_2)
    }
}

/// `ln P(Z <= z)` for a standard normal Z.
pub fn normal_ln_cdf(z: f64) -> f64 {
    normal_ln_sf(-z)
}

/// `P(Z > z)`, matching R `pnorm(z, lower.tail = FALSE)`.
pub fn normal_sf(z: f64) -> f64 {
    normal_ln_sf(z).exp()
}

/// `P(Z <= z)`, matching R `pnorm(z)`.
pub fn normal_cdf(z: f64) -> f64 {
    normal_ln_cdf(z).exp()
}

/// The `p` quantile of the standard normal, matching R `qnorm(p)`.
///
/// Newton's method on the log-space tail from statrs' starting value; exact to a few
/// ulps for `p` in `(1e-300, 1 - 1e-16)`. Returns `-inf`/`+inf` at 0 and 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p > 0.5 {
        return -lower_quantile(1.0 - p);
    }
    lower_quantile(p)
}

/// Solves `Phi(x) = p` for `p <= 0.5` (so `x <= 0`).
fn lower_quantile(p: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    let ln_p = p.ln();
    let mut x = -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p);
    if !x.is_finite() {
        x = -(-2.0 * ln_p).sqrt();
    }
    for _ in 0..50 {
        let ln_cdf = normal_ln_cdf(x);
        // d/dx ln Phi(x) = phi(x) / Phi(x)
        let slope = (-0.5 * x * x - LN_SQRT_2PI - ln_cdf).exp();
        let step = (ln_cdf - ln_p) / slope;
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1e-300) {
            break;
        }
    }
    x
}

/// `ln P(X > x)` for a chi-square variable with `df` degrees of freedom.
pub fn chi2_ln_sf(x: f64, df: f64) -> f64 {
    ln_gamma_tails(0.5 * df, 0.5 * x).1
}

/// Regularized incomplete beta tails `(ln I_x(a, b), ln[1 - I_x(a, b)])`, `a, b > 0`.
///
/// `y = 1 - x` is passed separately so that bounds near 1 keep full precision.
pub fn ln_beta_tails(x: f64, y: f64, a: f64, b: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (f64::NEG_INFINITY, 0.0);
    }
    if y <= 0.0 {
        return (0.0, f64::NEG_INFINITY);
    }
    if x < (a + 1.0) / (a + b + 2.0) {
        let lower = ln_beta_cf(x, y, a, b);
        (lower, ln_1m_exp(lower))
    } else {
        let upper = ln_beta_cf(y, x, b, a);
        (ln_1m_exp(upper), upper)
    }
}

/// `ln I_x(a, b)` by the continued fraction (Numerical Recipes' betacf, modified Lentz).
fn ln_beta_cf(x: f64, y: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    // x^a y^b / (a B(a, b)) = dbinom_raw(a, a + b, x) * b / (a + b)
    let ln_front = ln_binom_kernel(a, b, x, y) + (b / (a + b)).ln();
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    // 1 - (a + b) x / (a + 1), from the smaller of x and y = 1 - x: near x = 1 the
    // subtraction would cancel (the other coefficients carry no such difference).
    let mut d = if y < x { (1.0 - b + qab * y) / qap } else { 1.0 - qab * x / qap };
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000_000u32 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // One modified-Lentz step for a continued-fraction coefficient `aa`.
        let mut step = |aa: f64| {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            d * c
        };
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    ln_front + h.ln()
}

/// Beyond this ratio of one beta parameter to the other (and to 1), beta quantiles are
/// taken from the gamma limit: as `b -> infinity`, `b X -> Gamma(a)` for `X ~ Beta(a,
/// b)`, with a relative error of order `a / b`, below `1e-13` here. The continued
/// fraction would need about `sqrt(b)` terms per evaluation (a weighted share of 1e-50
/// with one heavy weight gives `b` near 1e50).
const GAMMA_LIMIT_RATIO: f64 = 1e13;

/// The `x` with `P(X <= x) = p` (`upper = false`) or `P(X > x) = p` (`upper = true`)
/// for `X ~ Gamma(shape, 1)`, solved on `ln x`.
fn gamma_quantile(p: f64, shape: f64, upper: bool) -> f64 {
    let target = p.ln();
    let f = |t: f64| {
        let (lower, up) = ln_gamma_tails(shape, t.exp());
        if upper { target - up } else { lower - target }
    };
    roots::brent_unbounded(f, shape.max(1e-300).ln(), 745.0).map_or(0.0, f64::exp)
}

/// The `x` with `I_x(a, b) = p` (lower tail), matching R `qbeta(p, a, b)`.
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    if b >= GAMMA_LIMIT_RATIO * a.max(1.0) {
        return (gamma_quantile(p, a, false) / b).min(1.0);
    }
    if a >= GAMMA_LIMIT_RATIO * b.max(1.0) {
        // 1 - X ~ Beta(b, a): P(X <= x) = P(1 - X >= 1 - x).
        return (1.0 - gamma_quantile(p, b, true) / a).max(0.0);
    }
    if p <= 0.5 {
        let target = p.ln();
        roots::brent(|x| ln_beta_tails(x, 1.0 - x, a, b).0.max(-1e300) - target, 0.0, 1.0)
    } else {
        beta_quantile_upper(1.0 - p, a, b)
    }
}

/// The `x` with `1 - I_x(a, b) = q` (upper tail), matching R
/// `qbeta(q, a, b, lower.tail = FALSE)`.
pub fn beta_quantile_upper(q: f64, a: f64, b: f64) -> f64 {
    if q <= 0.0 {
        return 1.0;
    }
    if q >= 1.0 {
        return 0.0;
    }
    if b >= GAMMA_LIMIT_RATIO * a.max(1.0) {
        return (gamma_quantile(q, a, true) / b).min(1.0);
    }
    if a >= GAMMA_LIMIT_RATIO * b.max(1.0) {
        return (1.0 - gamma_quantile(q, b, false) / a).max(0.0);
    }
    if q <= 0.5 {
        let target = q.ln();
        roots::brent(|x| target - ln_beta_tails(x, 1.0 - x, a, b).1.max(-1e300), 0.0, 1.0)
    } else {
        beta_quantile(1.0 - q, a, b)
    }
}

/// `P(T > t)` for Student's t with `df` degrees of freedom (`df > 0`, real).
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t == 0.0 {
        return 0.5;
    }
    // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t^2); y = 1 - x kept exact.
    let t2 = t * t;
    let (x, y) = (df / (df + t2), t2 / (df + t2));
    let two_tailed = ln_beta_tails(x, y, df / 2.0, 0.5).0.exp();
    if t > 0.0 { 0.5 * two_tailed } else { 1.0 - 0.5 * two_tailed }
}

/// Upper tail `P(F > f)` of the F distribution with `d1` and `d2` (possibly
/// fractional) degrees of freedom, as R `pf(f, d1, d2, lower.tail = FALSE)`.
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    // P(F > f) = I_x(d2/2, d1/2) with x = d2 / (d2 + d1 f); y = 1 - x kept exact.
    let (x, y) = (d2 / (d2 + d1 * f), d1 * f / (d2 + d1 * f));
    ln_beta_tails(x, y, d2 / 2.0, d1 / 2.0).0.exp()
}

/// The `p` quantile of Student's t with `df` degrees of freedom, matching R
/// `qt(p, df)` to ~1e-14 for any df (statrs 0.19.1 is off by 6e-5 at df = 1e6).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // Upper tail q = min(p, 1 - p); P(|T| > t) = 2q = 1 - I_y(1/2, df/2) with
    // y = t^2 / (df + t^2), solved on the side that keeps y exact for large df.
    let q = if p > 0.5 { 1.0 - p } else { p };
    let y = beta_quantile_upper(2.0 * q, 0.5, df / 2.0);
    let t = (df * y / (1.0 - y)).sqrt();
    if p > 0.5 { t } else { -t }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn normal_tail_matches_r_far_out() {
        // R: pnorm(40, lower.tail = FALSE, log.p = TRUE) = -804.6084420137538
        assert!(rel(normal_ln_sf(40.0), -804.608_442_013_753_8) < 1e-13);
        // R 4.2.2: pnorm(1.96, lower.tail = FALSE) = 0.024997895148220428
        assert!(rel(normal_sf(1.96), 0.024_997_895_148_220_428) < 1e-14);
        // R 4.2.2: pnorm(-0.5) = 0.30853753872598694
        assert!(rel(normal_cdf(-0.5), 0.308_537_538_725_986_94) < 1e-14);
    }

    #[test]
    fn normal_quantile_matches_r() {
        // R 4.2.2: qnorm(0.975) = 1.9599639845400536, qnorm(1e-300) = -37.047096299361201
        assert!(rel(normal_quantile(0.975), 1.959_963_984_540_053_6) < 1e-15);
        assert!(rel(normal_quantile(1e-300), -37.047_096_299_361_201) < 1e-14);
    }

    #[test]
    fn beta_quantile_matches_r() {
        // R 4.2.2: qbeta(0.025, 52, 9) = 0.75407777886958027
        assert!(rel(beta_quantile(0.025, 52.0, 9.0), 0.754_077_778_869_580_27) < 1e-12);
    }

    #[test]
    fn beta_quantiles_with_a_huge_parameter_use_the_gamma_limit_and_agree_with_it() {
        // Just below the limit (continued fraction) and just above (gamma): one curve.
        for (p, a) in [(0.025, 1.0), (0.975, 1.0), (0.5, 3.5), (0.025, 0.2)] {
            let below = 1e12 * beta_quantile(p, a, 1e12);
            let above = 1e14 * beta_quantile(p, a, 1e14);
            assert!(rel(below, above) < 1e-9, "p = {p}, a = {a}: {below} vs {above}");
            let upper = 1e14 * beta_quantile_upper(p, a, 1e14);
            let lower = 1e14 * beta_quantile(1.0 - p, a, 1e14);
            assert!(rel(upper, lower) < 1e-9, "p = {p}, a = {a}: {upper} vs {lower}");
            // Mirrored parameters (near 1, so only to the spacing of doubles there).
            let mirrored = 1.0 - beta_quantile(1.0 - p, 1e14, a);
            assert!((mirrored - beta_quantile(p, a, 1e14)).abs() < 4.0 * f64::EPSILON);
        }
        // qgamma(0.025, 1) = -ln(0.975) = 0.025317807984289786.
        assert!(rel(1e50 * beta_quantile(0.025, 1.0, 1e50), 0.025_317_807_984_289_786) < 1e-12);
    }
}
