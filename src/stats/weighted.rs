//! Weighted proportions for a one-stage design with replacement (R survey's
//! `svydesign(ids = ~1, weights = ~w)`), computed from sufficient statistics: per
//! domain and answer, the respondent count, the sum of weights and the sum of squared
//! weights. Nothing here needs the rows themselves.
//!
//! - The standard error treats a group as a **domain** of the whole sample (the
//!   linearised variance uses the full sample size `N`), as R `svyby` and
//!   `svymean(subset(...))` do; treating the subset as its own sample is the classic
//!   domain error and is not offered.
//! - Design effects: Kish's `n / n_eff` (weighting efficiency), and R's
//!   `deff = "replace"`. R's default `deff = TRUE` is not reproduced: it uses the sum
//!   of the weights as the population size, which gives Inf or NA when weights are
//!   scaled to the sample size.
//! - Intervals follow R `svyciprop` (logit, Korn-Graubard beta, asin, mean,
//!   likelihood) with `df` degrees of freedom; R uses `df = n - 1` for a domain taken
//!   with `subset()`. The likelihood interval is the exact root of R's Rao-Scott-scaled
//!   profile deviance, where R interpolates a spline through ten profile points. When
//!   the weighted share is exactly 0 or 1, R's methods collapse or fail; here every
//!   method returns the exact one-sided bound on Kish's effective sample size
//!   (Clopper-Pearson with `x = n_eff` of `n_eff`), flagged as a boundary case.

use super::special::{beta_quantile, beta_quantile_upper, normal_quantile, t_quantile};
use super::{ConfidenceLevel, Interval, StatsError};
use serde::Serialize;

/// Sufficient statistics of a yes/no answer in one domain (group).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct WeightedCounts {
    /// Respondents in the domain who answered.
    pub n: u64,
    /// Sum of weights of those answering yes.
    pub w_yes: f64,
    /// Sum of weights of those answering no.
    pub w_no: f64,
    /// Sum of squared weights, yes.
    pub w2_yes: f64,
    /// Sum of squared weights, no.
    pub w2_no: f64,
    /// Respondents of the domain who skipped the question (outside the domain once
    /// missing answers are dropped, as R's `na.rm = TRUE` does).
    pub n_skipped: u64,
    /// Sum of weights of those who skipped.
    pub w_skipped: f64,
}

/// A weighted domain proportion with its design-based standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedEstimate {
    /// Weighted share.
    pub estimate: f64,
    /// Linearised standard error as a domain of a sample of `total_n`.
    pub se: f64,
    /// Respondents in the domain.
    pub n: u64,
    /// Respondents in the whole design.
    pub total_n: u64,
    /// Respondents of the domain, those who skipped the question included (R's
    /// `nrow(design)` of the domain taken with `subset()`).
    pub rows: u64,
    /// Kish's effective sample size `(sum w)^2 / sum w^2`.
    pub effective_n: f64,
    /// Kish's design effect due to weighting, `n / n_eff`.
    pub deff_kish: f64,
    /// R `svymean(deff = "replace")`: the variance over that of a with-replacement
    /// simple random sample of the same size; `None` at a share of 0 or 1.
    pub deff_replace: Option<f64>,
    /// The quasibinomial dispersion R `summary(svyglm(y ~ 1, family = quasibinomial))`
    /// reports for the domain: `n/(n-1)` times the answering respondents' mean weight
    /// over the mean weight of the whole domain (R normalises the weights before
    /// dropping missing answers). Scales the likelihood interval.
    pub glm_dispersion: f64,
    /// The variance of the log odds when it is not the delta method's `var / (p (1 -
    /// p))^2`: under replicate weights, the replicates' own (R's `svyglm` refits).
    pub logit_variance: Option<f64>,
}

/// Weighted interval methods (R `svyciprop` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum WeightedCiMethod {
    /// Wald on the logit scale (R `method = "logit"`).
    Logit,
    /// Korn-Graubard: Clopper-Pearson on the effective sample size `p(1-p)/var`
    /// (R `method = "beta"`).
    Beta,
    /// Wald on the arcsine-square-root scale (R `method = "asin"`).
    Asin,
    /// Wald on the proportion scale (R `method = "mean"`).
    Mean,
    /// Profile likelihood of the quasibinomial intercept, its deviance scaled by the
    /// Rao-Scott design effect of the logit (R `method = "likelihood"`): the shares
    /// `mu` with `KL(p || mu) = t^2 phi var(p) / (2 p (1 - p))`, `phi` the
    /// [`glm_dispersion`](WeightedEstimate::glm_dispersion), solved exactly. R
    /// approximates the same roots with a spline through ten profile points (and a
    /// not fully converged IRLS weight); its printed limits differ from the exact ones
    /// in the fifth or sixth decimal.
    Likelihood,
    /// Wilson's score interval on Kish's effective sample size, normal quantile
    /// (no R equivalent; the small-sample interval for weighted data).
    WilsonEffective,
    /// The delta-method interval on the logit scale, `logit(p) +- t se / (p (1 - p))`,
    /// back-transformed (R `method = "xlogit"`: `svycontrast` of `log(p / (1 - p))`).
    Xlogit,
}

impl WeightedCiMethod {
    /// Every method.
    pub const ALL: [WeightedCiMethod; 7] = [
        WeightedCiMethod::Beta,
        WeightedCiMethod::Logit,
        WeightedCiMethod::Likelihood,
        WeightedCiMethod::WilsonEffective,
        WeightedCiMethod::Asin,
        WeightedCiMethod::Mean,
        WeightedCiMethod::Xlogit,
    ];

    /// The method called `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            WeightedCiMethod::Logit => "logit",
            WeightedCiMethod::Beta => "beta",
            WeightedCiMethod::Asin => "asin",
            WeightedCiMethod::Mean => "mean",
            WeightedCiMethod::Likelihood => "likelihood",
            WeightedCiMethod::WilsonEffective => "wilson-effective",
            WeightedCiMethod::Xlogit => "xlogit",
        }
    }

    /// The name as reports print it (`Korn-Graubard`).
    pub fn display_name(self) -> &'static str {
        match self {
            WeightedCiMethod::Logit => "logit",
            WeightedCiMethod::Beta => "Korn-Graubard",
            WeightedCiMethod::Asin => "arcsine",
            WeightedCiMethod::Mean => "Wald",
            WeightedCiMethod::Likelihood => "likelihood",
            WeightedCiMethod::WilsonEffective => "Wilson on the effective n",
            WeightedCiMethod::Xlogit => "logit (delta method)",
        }
    }
}

/// A weighted interval and whether it is the boundary (share 0 or 1) answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedInterval {
    /// The interval.
    pub interval: Interval,
    /// True when the share is exactly 0 or 1 and the one-sided exact bound on the
    /// effective sample size is returned instead of the method's own interval.
    pub boundary: bool,
}

/// The weighted share of a domain and its design-based standard error.
///
/// # Errors
/// [`StatsError::EmptySample`] when nobody in the domain answered, or the design has
/// fewer than two respondents; [`StatsError::NotPositive`] for non-positive weight sums.
pub fn weighted_proportion(
    c: &WeightedCounts,
    total_n: u64,
) -> Result<WeightedEstimate, StatsError> {
    if c.n == 0 || total_n < 2 {
        return Err(StatsError::EmptySample);
    }
    let w = c.w_yes + c.w_no;
    let w2 = c.w2_yes + c.w2_no;
    if !(w > 0.0 && w2 > 0.0) {
        return Err(StatsError::NotPositive { name: "sum of weights", value: w });
    }
    let p = c.w_yes / w;
    let big_n = total_n as f64;
    // Scores u_i = w_i (y_i - p) / W in the domain and 0 outside; their mean over the
    // whole sample is 0, so var = N/(N-1) sum u_i^2.
    let var = big_n / (big_n - 1.0) * (c.w2_yes * (1.0 - p).powi(2) + c.w2_no * p * p) / (w * w);
    let effective_n = w * w / w2;
    let n = c.n as f64;
    let srs = p * (1.0 - p) / (n - 1.0);
    let domain_mean_weight = (w + c.w_skipped) / (c.n + c.n_skipped) as f64;
    Ok(WeightedEstimate {
        estimate: p,
        se: var.sqrt(),
        n: c.n,
        total_n,
        rows: c.n + c.n_skipped,
        effective_n,
        deff_kish: n / effective_n,
        deff_replace: (srs > 0.0 && c.n > 1).then(|| var / srs),
        glm_dispersion: if c.n > 1 { n / (n - 1.0) * (w / n) / domain_mean_weight } else { 1.0 },
        logit_variance: None,
    })
}

impl WeightedEstimate {
    /// The same share with the variance `var` of a sampling design (strata, clusters,
    /// replicates) in place of the one-stage variance; R's `deff = "replace"` follows it.
    #[must_use]
    pub fn with_variance(self, var: f64) -> Self {
        let n = self.n as f64;
        let p = self.estimate;
        let srs = p * (1.0 - p) / (n - 1.0);
        WeightedEstimate {
            se: var.max(0.0).sqrt(),
            deff_replace: (srs > 0.0 && self.n > 1).then(|| var / srs),
            ..self
        }
    }
}

/// R's degrees of freedom for a domain taken with `subset()`: the number of
/// respondents in the group minus one, counting those who skipped the question (R's
/// `degf()` of the subset design, before `na.rm` drops them).
pub fn domain_df(group_respondents: u64) -> f64 {
    (group_respondents as f64 - 1.0).max(1.0)
}

/// A two-sided interval for a weighted share with `df` degrees of freedom. Matches R
/// `svyciprop(~y, subset(design, ...), method, df = df)`.
pub fn weighted_ci(
    e: &WeightedEstimate,
    method: WeightedCiMethod,
    level: ConfidenceLevel,
    df: f64,
) -> WeightedInterval {
    let alpha = 1.0 - level.value();
    let p = e.estimate;
    if p <= 0.0 || p >= 1.0 {
        // Exact one-sided bound on the effective sample size.
        let bound = (alpha / 2.0).powf(1.0 / e.effective_n);
        let interval =
            if p >= 1.0 { Interval::new(bound, 1.0) } else { Interval::new(0.0, 1.0 - bound) };
        return WeightedInterval { interval, boundary: true };
    }
    let t = t_quantile(1.0 - alpha / 2.0, df);
    let interval = match method {
        WeightedCiMethod::Mean => Interval::new(p - t * e.se, p + t * e.se),
        WeightedCiMethod::Logit => {
            let l = (p / (1.0 - p)).ln();
            let se = e.logit_variance.map_or(e.se / (p * (1.0 - p)), f64::sqrt);
            let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
            Interval::new(expit(l - t * se), expit(l + t * se))
        }
        WeightedCiMethod::Asin => {
            let a = p.sqrt().asin();
            let se = e.se / (2.0 * (p * (1.0 - p)).sqrt());
            Interval::new((a - t * se).sin().powi(2), (a + t * se).sin().powi(2))
        }
        WeightedCiMethod::Beta => {
            // R scales n_eff by (qt(alpha/2, rows - 1) / qt(alpha/2, df))^2, which is 1
            // for a one-stage design's own degrees of freedom.
            let rows_t = t_quantile(1.0 - alpha / 2.0, domain_df(e.rows));
            let n_eff = p * (1.0 - p) / (e.se * e.se) * (rows_t / t).powi(2);
            Interval::new(
                beta_quantile(alpha / 2.0, n_eff * p, n_eff * (1.0 - p) + 1.0),
                beta_quantile_upper(alpha / 2.0, n_eff * p + 1.0, n_eff * (1.0 - p)),
            )
        }
        WeightedCiMethod::Likelihood => {
            let target = t * t * e.glm_dispersion * e.se * e.se / (2.0 * p * (1.0 - p));
            Interval::new(kl_root(p, target, -1.0), kl_root(p, target, 1.0))
        }
        WeightedCiMethod::WilsonEffective => {
            let (lower, upper) =
                wilson_effective(p, e.effective_n, normal_quantile(1.0 - alpha / 2.0));
            Interval::new(lower, upper)
        }
        WeightedCiMethod::Xlogit => {
            let l = (p / (1.0 - p)).ln();
            let se = e.se / (p * (1.0 - p));
            let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
            Interval::new(expit(l - t * se), expit(l + t * se))
        }
    };
    WeightedInterval { interval, boundary: false }
}

/// The share `mu` below (`side = -1`) or above (`side = 1`) `p` at which the
/// Kullback-Leibler divergence `p ln(p/mu) + (1-p) ln((1-p)/(1-mu))` reaches `target`,
/// found on the logit scale so that limits near 0 or 1 keep full relative precision.
fn kl_root(p: f64, target: f64, side: f64) -> f64 {
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    let b_hat = lp - lq;
    // ln(mu) = -ln(1 + e^-b), ln(1 - mu) = -ln(1 + e^b), both without cancellation.
    let ln1pexp = |x: f64| if x > 35.0 { x } else { x.exp().ln_1p() };
    let kl = |b: f64| p * (lp + ln1pexp(-b)) + (1.0 - p) * (lq + ln1pexp(b)) - target;
    let mut step = 1.0;
    while kl(b_hat + side * step) < 0.0 && step < 1e3 {
        step *= 2.0;
    }
    let b = super::roots::brent(kl, b_hat, b_hat + side * step);
    1.0 / (1.0 + (-b).exp())
}

/// Wilson's interval for share `p` on a (possibly fractional) sample size `n`.
fn wilson_effective(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let center = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// One wave of a weighted trend: a group's answers in that wave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendWave {
    /// The wave's score (1, 2, ... in wave order).
    pub score: f64,
    /// The group's sufficient statistics in the wave.
    pub counts: WeightedCounts,
    /// Respondents in the whole wave (the stratum's sample size).
    pub wave_n: u64,
    /// Under a declared design: the covariance `[V_yy, V_yn, V_nn]` of the group's
    /// weighted totals answering yes and no in the wave, and the wave's degrees of
    /// freedom for the group's respondents answering (R `degf` of the subset `svyglm`
    /// keeps); `None` for a one-stage design.
    pub design: Option<([f64; 3], f64)>,
}

/// A design-based logistic trend test of a group's weighted share across waves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedTrend {
    /// Slope of the log odds per unit of score (per wave).
    pub slope: f64,
    /// Its linearised (sandwich) standard error, waves as strata.
    pub se: f64,
    /// `slope / se`.
    pub t: f64,
    /// Residual degrees of freedom: respondents answering minus waves minus one.
    pub df: f64,
    /// Two-sided p-value from `t(df)`.
    pub p_value: f64,
}

/// The trend of a weighted share across independent waves: the slope of a logistic
/// regression of the answer on the wave score, weighted, with the sandwich variance of
/// a design stratified by wave (one stage, with replacement within each wave; the group
/// a domain of each wave). Matches R survey
/// `svyglm(y ~ wave, subset(svydesign(ids = ~1, strata = ~wave, weights = ~w), group),
/// family = quasibinomial)`: slope, standard error and `Pr(>|t|)`.
///
/// # Errors
/// [`Undefined::Degenerate`](super::Undefined::Degenerate) with fewer than two waves
/// with answers, the same answer from everyone, a wave of one respondent, or no
/// residual degrees of freedom; [`Undefined::Separation`](super::Undefined::Separation)
/// when the answers are separated by the wave (the slope is infinite).
pub fn weighted_trend(waves: &[TrendWave]) -> super::Maybe<WeightedTrend> {
    let waves: Vec<&TrendWave> = waves.iter().filter(|w| w.counts.n > 0).collect();
    let answering: u64 = waves.iter().map(|w| w.counts.n).sum();
    let df = if waves.iter().all(|w| w.design.is_some()) {
        waves.iter().filter_map(|w| w.design.map(|d| d.1)).sum::<f64>() - 1.0
    } else {
        answering as f64 - waves.len() as f64 - 1.0
    };
    let b = trend_fit(&waves, df)?;
    // Sandwich: A^-1 B A^-1, B = sum over waves n_h/(n_h-1) x_h x_h' (Q_h - r_h^2 / n_h)
    // with r_h = sum w (y - mu) and Q_h = sum w^2 (y - mu)^2 over the group in wave h.
    let points: Vec<TrendPoint> = waves.iter().map(|w| TrendPoint::of(w)).collect();
    let a = information(&points, &b);
    let det = a[0] * a[2] - a[1] * a[1];
    let inv = [a[2] / det, -a[1] / det, a[0] / det];
    let mut m = [0.0; 3];
    for w in &waves {
        let mu = logistic(&b, w.score);
        let c = &w.counts;
        let r = c.w_yes * (1.0 - mu) - c.w_no * mu;
        let q = c.w2_yes * (1.0 - mu).powi(2) + c.w2_no * mu * mu;
        let nh = w.wave_n as f64;
        let k = match w.design {
            Some(([vyy, vyn, vnn], _)) => {
                (1.0 - mu) * (1.0 - mu) * vyy - 2.0 * mu * (1.0 - mu) * vyn + mu * mu * vnn
            }
            None => nh / (nh - 1.0) * (q - r * r / nh),
        };
        m[0] += k;
        m[1] += k * w.score;
        m[2] += k * w.score * w.score;
    }
    // Row 1 of A^-1 is (inv[1], inv[2]); var(slope) = row1 . B . row1'.
    let (u0, u1) = (inv[1], inv[2]);
    let var = u0 * u0 * m[0] + 2.0 * u0 * u1 * m[1] + u1 * u1 * m[2];
    trend_test(b[1], var, df)
}

/// The trend of a weighted share across waves under replicate weights: the logistic fit
/// of [`weighted_trend`] repeated with every replicate's weights (from the full fit, as
/// R does), and the replicates' variance of the slope. Matches R survey
/// `svyglm(y ~ wave, subset(svrepdesign(...), group), family = quasibinomial)`: slope,
/// standard error and `Pr(>|t|)` on `df` degrees of freedom (R's `degf` of the group's
/// subset minus one). `replicates[r][h]` holds replicate `r`'s weighted totals of the
/// group answering yes and no in wave `h` (`waves[h]`); a replicate whose fit fails is
/// left out, as R leaves out non-finite replicates.
///
/// # Errors
/// As [`weighted_trend`]; [`Undefined::ZeroStandardError`](super::Undefined::ZeroStandardError)
/// when no replicate moves the slope.
pub fn weighted_trend_replicates(
    waves: &[TrendWave],
    replicates: &[Vec<[f64; 2]>],
    scales: &super::design::ReplicateScales,
    df: f64,
) -> super::Maybe<WeightedTrend> {
    let kept: Vec<usize> = (0..waves.len()).filter(|&h| waves[h].counts.n > 0).collect();
    let answered: Vec<&TrendWave> = kept.iter().map(|&h| &waves[h]).collect();
    let b = trend_fit(&answered, df)?;
    let slopes: Vec<(f64, f64)> = replicates
        .iter()
        .zip(&scales.rscales)
        .filter_map(|(rep, &s)| {
            let points: Vec<TrendPoint> = kept
                .iter()
                .map(|&h| TrendPoint {
                    score: waves[h].score,
                    yes: rep.get(h).map_or(0.0, |c| c[0]),
                    no: rep.get(h).map_or(0.0, |c| c[1]),
                })
                .collect();
            newton(&points, b).map(|r| (r[1], s))
        })
        .collect();
    if slopes.is_empty() {
        return Err(super::Undefined::ZeroStandardError);
    }
    let centre = if scales.mse {
        b[1]
    } else {
        let used: Vec<f64> = slopes.iter().filter(|(_, s)| *s > 0.0).map(|(v, _)| *v).collect();
        used.iter().sum::<f64>() / used.len().max(1) as f64
    };
    let var = scales.scale * slopes.iter().map(|(v, s)| (v - centre).powi(2) * s).sum::<f64>();
    trend_test(b[1], var, df)
}

/// A wave of a logistic fit: its score and the weighted totals answering yes and no.
#[derive(Debug, Clone, Copy)]
struct TrendPoint {
    score: f64,
    yes: f64,
    no: f64,
}

impl TrendPoint {
    fn of(w: &TrendWave) -> Self {
        TrendPoint { score: w.score, yes: w.counts.w_yes, no: w.counts.w_no }
    }
}

fn logistic(b: &[f64; 2], score: f64) -> f64 {
    1.0 / (1.0 + (-(b[0] + b[1] * score)).exp())
}

/// The weighted information matrix `[a00, a01, a11]` of the fit at `b`.
fn information(points: &[TrendPoint], b: &[f64; 2]) -> [f64; 3] {
    let mut a = [0.0; 3];
    for p in points {
        let mu = logistic(b, p.score);
        let v = (p.yes + p.no) * mu * (1.0 - mu);
        a[0] += v;
        a[1] += v * p.score;
        a[2] += v * p.score * p.score;
    }
    a
}

/// Newton-Raphson on the weighted log-likelihood from `start`: the coefficients, or
/// `None` when it does not converge or the slope runs off (separation).
fn newton(points: &[TrendPoint], start: [f64; 2]) -> Option<[f64; 2]> {
    let mut b = start;
    for _ in 0..100 {
        let (mut g0, mut g1) = (0.0, 0.0);
        for p in points {
            let r = p.yes - (p.yes + p.no) * logistic(&b, p.score);
            g0 += r;
            g1 += r * p.score;
        }
        let a = information(points, &b);
        let det = a[0] * a[2] - a[1] * a[1];
        if det.is_nan() || det <= 0.0 {
            return None;
        }
        let step = [(a[2] * g0 - a[1] * g1) / det, (a[0] * g1 - a[1] * g0) / det];
        b = [b[0] + step[0], b[1] + step[1]];
        if step[0].abs().max(step[1].abs()) <= 1e-13 * (1.0 + b[0].abs().max(b[1].abs())) {
            return (b[1].is_finite() && b[1].abs() <= 30.0).then_some(b);
        }
    }
    None
}

/// The full-sample fit of a trend after its checks: the coefficients from the pooled
/// share and no slope.
fn trend_fit(waves: &[&TrendWave], df: f64) -> super::Maybe<[f64; 2]> {
    let yes: f64 = waves.iter().map(|w| w.counts.w_yes).sum();
    let all: f64 = waves.iter().map(|w| w.counts.w_yes + w.counts.w_no).sum();
    let distinct = waves.windows(2).any(|p| p[0].score != p[1].score);
    let degenerate = if !distinct {
        Some("fewer than two waves with answers")
    } else if yes <= 0.0 || yes >= all {
        Some("every respondent gave the same answer in every wave")
    } else if waves.iter().any(|w| w.wave_n < 2) {
        Some("a wave of one respondent has no sampling variance")
    } else if df <= 0.0 {
        Some("no residual degrees of freedom")
    } else {
        None
    };
    if let Some(reason) = degenerate {
        return Err(super::Undefined::Degenerate(reason));
    }
    let points: Vec<TrendPoint> = waves.iter().map(|w| TrendPoint::of(w)).collect();
    newton(&points, [(yes / (all - yes)).ln(), 0.0]).ok_or(super::Undefined::Separation("the wave"))
}

/// The t test of a slope with variance `var` on `df` degrees of freedom.
fn trend_test(slope: f64, var: f64, df: f64) -> super::Maybe<WeightedTrend> {
    if var.is_nan() || var <= 0.0 {
        return Err(super::Undefined::ZeroStandardError);
    }
    let se = var.sqrt();
    let t = slope / se;
    Ok(WeightedTrend { slope, se, t, df, p_value: 2.0 * super::special::t_sf(t.abs(), df) })
}

/// The difference of two weighted domain shares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedDifference {
    /// `p1 - p2`.
    pub estimate: f64,
    /// Standard error; the covariance of two disjoint domains of a one-stage
    /// with-replacement design is zero, and so is that of two independent waves.
    /// Matches R `svyby(covmat = TRUE)` + `svycontrast`.
    pub se: f64,
    /// Wald interval with the normal quantile (R `confint(svycontrast(...))`).
    pub wald: Interval,
    /// Wald interval with `t(df)` (R `confint(..., df = degf(design))`).
    pub wald_t: Interval,
    /// Newcombe's hybrid score interval built from the two Wilson intervals on the
    /// groups' Kish effective sample sizes: a small-sample interval for weighted data
    /// that R does not offer.
    pub newcombe_effective: Interval,
}

impl WeightedDifference {
    /// The same difference with the design covariance `cov` of the two shares (zero in
    /// a one-stage design; clusters holding both groups make it non-zero): its standard
    /// error `sqrt(se1^2 + se2^2 - 2 cov)` and Wald intervals follow (R `svycontrast` on
    /// `svyby(covmat = TRUE)`).
    #[must_use]
    pub fn with_covariance(self, cov: f64, level: ConfidenceLevel, df: f64) -> Self {
        let var = self.se * self.se - 2.0 * cov;
        self.with_variance(var, level, df)
    }

    /// The same difference with the variance `var` of another design (a panel's, whose
    /// waves share respondents) and that design's degrees of freedom `df`.
    #[must_use]
    pub fn with_variance(self, var: f64, level: ConfidenceLevel, df: f64) -> Self {
        let se = var.max(0.0).sqrt();
        let alpha = 1.0 - level.value();
        let z = normal_quantile(1.0 - alpha / 2.0);
        let t = t_quantile(1.0 - alpha / 2.0, df);
        let d = self.estimate;
        WeightedDifference {
            se,
            wald: Interval::new(d - z * se, d + z * se),
            wald_t: Interval::new(d - t * se, d + t * se),
            ..self
        }
    }
}

/// The weighted difference `p1 - p2` of two disjoint domains: two groups of one design
/// (`df = N - 1`), or one group in two independent waves, stacked as a design
/// stratified by wave (`df = N_1 + N_2 - 2`).
pub fn weighted_difference(
    a: &WeightedEstimate,
    b: &WeightedEstimate,
    level: ConfidenceLevel,
    df: f64,
) -> WeightedDifference {
    let d = a.estimate - b.estimate;
    let se = (a.se * a.se + b.se * b.se).sqrt();
    let alpha = 1.0 - level.value();
    let z = normal_quantile(1.0 - alpha / 2.0);
    let t = t_quantile(1.0 - alpha / 2.0, df);
    let (l1, u1) = wilson_effective(a.estimate, a.effective_n, z);
    let (l2, u2) = wilson_effective(b.estimate, b.effective_n, z);
    let lower = d - ((a.estimate - l1).powi(2) + (u2 - b.estimate).powi(2)).sqrt();
    let upper = d + ((u1 - a.estimate).powi(2) + (b.estimate - l2).powi(2)).sqrt();
    WeightedDifference {
        estimate: d,
        se,
        wald: Interval::new(d - z * se, d + z * se),
        wald_t: Interval::new(d - t * se, d + t * se),
        newcombe_effective: Interval::new(lower.max(-1.0), upper.min(1.0)),
    }
}

/// Rao-Scott tests of independence of the answers and the groups in a weighted design
/// (R `svychisq(~answer + group, design)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RaoScott {
    /// Pearson's X^2 on the weighted table scaled to the sample size (R reports this,
    /// unscaled, as the "Chisq" statistic).
    pub pearson: f64,
    /// Degrees of freedom `(r - 1)(c - 1)` of the table without empty rows or columns.
    pub df: f64,
    /// The mean generalised design effect (the mean eigenvalue of R's `Delta`).
    pub delta: f64,
    /// First-order Rao-Scott p-value: `P(chi2_df > X^2 / delta)` (R `statistic = "Chisq"`).
    pub chisq_p_value: f64,
    /// Second-order Rao-Scott statistic `X^2 / trace(Delta)` (R `statistic = "F"`, the
    /// default).
    pub f: f64,
    /// Its numerator degrees of freedom `d0 = trace(Delta)^2 / trace(Delta^2)`.
    pub f_ndf: f64,
    /// Its denominator degrees of freedom `d0 (N - 1)`.
    pub f_ddf: f64,
    /// The F test's p-value.
    pub f_p_value: f64,
}

/// Rao-Scott first-order and F tests for a 2 x 2 weighted table, from the two groups'
/// sufficient statistics (the design: one stage, with replacement, `N = n1 + n2`).
/// Matches R survey `svychisq(statistic = "Chisq" | "F")`.
///
/// # Errors
/// Undefined when the weighted table has an empty row or column.
pub fn rao_scott(a: &WeightedCounts, b: &WeightedCounts) -> super::Maybe<RaoScott> {
    rao_scott_rc(
        &[vec![a.w_yes, b.w_yes], vec![a.w_no, b.w_no]],
        &[vec![a.w2_yes, b.w2_yes], vec![a.w2_no, b.w2_no]],
        a.n + b.n,
    )
}

/// Rao-Scott tests for an r x c weighted table (answers x groups), from the sums of
/// weights `w` and of squared weights `w2` per cell, in a one-stage with-replacement
/// design of the `n` respondents in the table. Rows and columns without respondents are
/// left out, as R leaves out codes nobody gave. Matches R survey
/// `svychisq(~answer + group, svydesign(ids = ~1, weights = ~w), statistic = "Chisq" | "F")`.
///
/// # Errors
/// [`Undefined::NoVariation`](super::Undefined::NoVariation) with fewer than two
/// non-empty rows or columns, or fewer than two respondents;
/// [`Undefined::Degenerate`](super::Undefined::Degenerate) when the design effects
/// cannot be estimated (a singular contrast matrix).
pub fn rao_scott_rc(w: &[Vec<f64>], w2: &[Vec<f64>], n: u64) -> super::Maybe<RaoScott> {
    let c = w.first().map_or(0, Vec::len);
    let total: f64 = w.iter().flatten().sum();
    let p: Vec<f64> = w.iter().flatten().map(|x| x / total).collect();
    let q: Vec<f64> = w2.iter().flatten().copied().collect();
    let cells = p.len();
    if n < 2 || total.is_nan() || total <= 0.0 || cells != w.len() * c {
        return Err(super::Undefined::NoVariation);
    }
    // V = N/(N-1)/W^2 (diag(q) - q p' - p q' + Q p p').
    let nf = n as f64;
    let s = nf / (nf - 1.0) / (total * total);
    let big_q: f64 = q.iter().sum();
    let v: Vec<Vec<f64>> = (0..cells)
        .map(|a| {
            (0..cells)
                .map(|b| {
                    let d = if a == b { q[a] } else { 0.0 };
                    s * (d - q[a] * p[b] - p[a] * q[b] + big_q * p[a] * p[b])
                })
                .collect()
        })
        .collect();
    rao_scott_design(w, &v, nf, nf - 1.0)
}

/// Rao-Scott tests for an r x c weighted table (answers x groups) under any design:
/// the cells' weighted totals `w`, the design covariance `share_cov` of the cell shares
/// `w_ij / sum(w)` (all `r c` cells, row-major), the number `n` of respondents in the
/// design (those who skipped the question included: R's `N`) and the design's degrees
/// of freedom `nu`. Rows and columns without respondents are left out. Matches R survey
/// `svychisq(~answer + group, design, statistic = "Chisq" | "F")`: the Pearson
/// statistic on the table scaled to `n`, and the F test on `(d0, d0 nu)` degrees of
/// freedom.
///
/// # Errors
/// As [`rao_scott_rc`].
pub fn rao_scott_design(
    w: &[Vec<f64>],
    share_cov: &[Vec<f64>],
    n: f64,
    nu: f64,
) -> super::Maybe<RaoScott> {
    let c_all = w.first().map_or(0, Vec::len);
    let rows: Vec<usize> = (0..w.len()).filter(|&i| w[i].iter().sum::<f64>() > 0.0).collect();
    let cols: Vec<usize> = (0..c_all).filter(|&j| w.iter().any(|r| r[j] > 0.0)).collect();
    let (r, c) = (rows.len(), cols.len());
    if r < 2 || c < 2 || n < 2.0 || share_cov.len() != w.len() * c_all {
        return Err(super::Undefined::NoVariation);
    }
    // Cells in row-major order of the reduced table.
    let total: f64 = rows.iter().flat_map(|&i| cols.iter().map(move |&j| w[i][j])).sum();
    let p: Vec<f64> =
        rows.iter().flat_map(|&i| cols.iter().map(move |&j| w[i][j] / total)).collect();
    let index: Vec<usize> =
        rows.iter().flat_map(|&i| cols.iter().map(move |&j| i * c_all + j)).collect();
    let row_p: Vec<f64> = (0..r).map(|i| (0..c).map(|j| p[i * c + j]).sum()).collect();
    let col_p: Vec<f64> = (0..c).map(|j| (0..r).map(|i| p[i * c + j]).sum()).collect();
    let nf = n;
    let mut pearson = 0.0;
    for i in 0..r {
        for j in 0..c {
            let e = row_p[i] * col_p[j];
            pearson += (p[i * c + j] - e).powi(2) / e;
        }
    }
    pearson *= nf;
    // Interaction contrasts (zero row and column sums): cell (i, j) minus the last row
    // and column; any basis of that space gives R's traces.
    let k = (r - 1) * (c - 1);
    let cells = r * c;
    let mut contrast = vec![vec![0.0; k]; cells];
    for i in 0..r - 1 {
        for j in 0..c - 1 {
            let m = i * (c - 1) + j;
            contrast[i * c + j][m] = 1.0;
            contrast[i * c + c - 1][m] = -1.0;
            contrast[(r - 1) * c + j][m] = -1.0;
            contrast[(r - 1) * c + c - 1][m] = 1.0;
        }
    }
    // A = D^-1 C (R sets 1/0 to 0 for an empty cell).
    let a: Vec<Vec<f64>> = contrast
        .iter()
        .zip(&p)
        .map(|(row, &pc)| row.iter().map(|v| if pc > 0.0 { v / pc } else { 0.0 }).collect())
        .collect();
    let mut denom = vec![vec![0.0; k]; k];
    let mut numr = vec![vec![0.0; k]; k];
    // A' V (k x cells), then A' V A.
    let av: Vec<Vec<f64>> = (0..k)
        .map(|m| {
            (0..cells)
                .map(|y| (0..cells).map(|x| a[x][m] * share_cov[index[x]][index[y]]).sum())
                .collect()
        })
        .collect();
    for m in 0..k {
        for l in 0..k {
            let mut d = 0.0;
            let mut v = 0.0;
            for cell in 0..cells {
                d += contrast[cell][m] * a[cell][l];
                v += av[m][cell] * a[cell][l];
            }
            denom[m][l] = d / nf;
            numr[m][l] = v;
        }
    }
    let delta = solve(denom, numr).ok_or(super::Undefined::Degenerate(
        "the design effects cannot be estimated (singular contrasts)",
    ))?;
    let trace: f64 = (0..k).map(|m| delta[m][m]).sum();
    let trace2: f64 = (0..k).map(|m| (0..k).map(|l| delta[m][l] * delta[l][m]).sum::<f64>()).sum();
    if trace.is_nan() || trace <= 0.0 {
        return Err(super::Undefined::Degenerate("the design effects are not positive"));
    }
    let mean_delta = trace / k as f64;
    let d0 = trace * trace / trace2;
    let f = pearson / trace;
    let f_ddf = d0 * nu;
    Ok(RaoScott {
        pearson,
        df: k as f64,
        delta: mean_delta,
        chisq_p_value: super::special::chi2_ln_sf(pearson / mean_delta, k as f64).exp(),
        f,
        f_ndf: d0,
        f_ddf,
        f_p_value: super::special::f_sf(f, d0, f_ddf),
    })
}

/// `A^-1 B` by Gauss-Jordan elimination with partial pivoting; `None` when `A` is
/// singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..k {
        let pivot = (col..k).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        for v in a[col].iter_mut() {
            *v /= d;
        }
        for v in b[col].iter_mut() {
            *v /= d;
        }
        let (pivot_a, pivot_b) = (a[col].clone(), b[col].clone());
        for (row, (ar, br)) in a.iter_mut().zip(b.iter_mut()).enumerate() {
            let factor = ar[col];
            if row == col || factor == 0.0 {
                continue;
            }
            for (x, y) in ar.iter_mut().zip(&pivot_a) {
                *x -= factor * y;
            }
            for (x, y) in br.iter_mut().zip(&pivot_b) {
                *x -= factor * y;
            }
        }
    }
    Some(b)
}
