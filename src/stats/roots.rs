//! One-dimensional root finding and maximisation, to full double precision.

/// Brent's method (Brent 1973, `zeroin`) for a root of `f` in `[a, b]`.
///
/// `f(a)` and `f(b)` must have opposite signs (or one be zero); infinite values are
/// allowed at the ends. Converges to within a few ulps of the root.
pub(crate) fn brent<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64) -> f64 {
    let (mut a, mut b) = (a, b);
    let mut fa = f(a);
    let mut fb = f(b);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..500 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 1e-300;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() && fa.is_finite() && fc.is_finite() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
    }
    b
}

/// Finds a root of an increasing function `f` on the real line, starting from `x0`:
/// expands a bracket geometrically (up to `|x| <= limit`), then calls [`brent`].
/// Returns `None` when no sign change is found within the limit.
pub(crate) fn brent_unbounded<F: FnMut(f64) -> f64>(mut f: F, x0: f64, limit: f64) -> Option<f64> {
    let f0 = f(x0);
    if f0 == 0.0 {
        return Some(x0);
    }
    let mut step = 1.0;
    let mut near = x0;
    loop {
        let far = if f0 < 0.0 { x0 + step } else { x0 - step };
        if far.abs() > limit {
            return None;
        }
        let ff = f(far);
        if (ff > 0.0) != (f0 > 0.0) || ff == 0.0 {
            let (lo, hi) = if near < far { (near, far) } else { (far, near) };
            return Some(brent(&mut f, lo, hi));
        }
        near = far;
        step *= 2.0;
    }
}

/// Maximises a unimodal-on-bracket function on `[a, b]` by golden-section search with
/// parabolic steps (Brent's `fmin` applied to `-f`). Returns `(argmax, max)`.
pub(crate) fn brent_max<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64) -> (f64, f64) {
    const CGOLD: f64 = 0.381_966_011_250_105_1;
    let (mut a, mut b) = (a, b);
    let mut x = a + CGOLD * (b - a);
    let (mut w, mut v) = (x, x);
    let mut fx = -f(x);
    let (mut fw, mut fv) = (fx, fx);
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    for _ in 0..200 {
        let xm = 0.5 * (a + b);
        let tol1 = 1e-12 * x.abs() + 1e-15;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            e = d;
            if p.abs() < (0.5 * q * etemp).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + tol1.copysign(d) };
        let fu = -f(u);
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    (x, -fx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_sqrt2() {
        let r = brent(|x| x * x - 2.0, 0.0, 2.0);
        assert!((r - std::f64::consts::SQRT_2).abs() < 1e-15);
    }

    #[test]
    fn brent_max_finds_peak() {
        let (x, fx) = brent_max(|x| -(x - 0.3) * (x - 0.3) + 1.0, 0.0, 1.0);
        assert!((x - 0.3).abs() < 1e-7 && (fx - 1.0).abs() < 1e-14);
    }
}
