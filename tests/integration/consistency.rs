//! Printed-figure consistency: the recover command, every rounding scheme, decimals and
//! bounds, cross-checked against a brute-force forward rounding of every count.

use invitestat::consistency::{Figure, Relation, Rounding, counts, min_missing, recover};
use proptest::prelude::*;
use serde_json::Value;
use std::process::Command;

fn figs(list: &[&str]) -> Vec<Figure> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

const RECRUITERS: [&str; 6] = ["21%", "40%", "87%", "6%", "54%", "78%"];

#[test]
fn recruiter_figures_fit_63_67_68_under_half_up_and_58_under_ceiling() {
    let f = figs(&RECRUITERS);
    let ns = |r| recover(&f, 50..=70, r).unwrap().iter().map(|c| c.n).collect::<Vec<_>>();
    assert_eq!(ns(Rounding::HalfUp), [63, 67, 68]);
    assert_eq!(ns(Rounding::HalfDown), [63, 67, 68]);
    assert_eq!(ns(Rounding::HalfEven), [63, 67, 68]);
    assert_eq!(ns(Rounding::UpOrDown), [63, 67, 68]);
    assert_eq!(ns(Rounding::Ceiling), [58]);
    assert_eq!(ns(Rounding::Floor), [64, 66]);
    let at63 = &recover(&f, 63..=63, Rounding::HalfUp).unwrap()[0];
    assert_eq!(at63.counts, vec![vec![13], vec![25], vec![55], vec![4], vec![34], vec![49]]);
    let at58 = &recover(&f, 58..=58, Rounding::Ceiling).unwrap()[0];
    assert_eq!(at58.counts, vec![vec![12], vec![23], vec![50], vec![3], vec![31], vec![45]]);
}

#[test]
fn item_non_response_makes_58_recruiters_possible() {
    // At n = 58: the 87% item needs 3 missing answers, 6% needs 4, 54% needs 1.
    let need = |f: &str| min_missing(&figs(&[f]), 58, Rounding::HalfUp, 20);
    assert_eq!(need("87%"), Some(3));
    assert_eq!(need("6%"), Some(4));
    assert_eq!(need("54%"), Some(1));
    assert_eq!(need("21%"), Some(0));
}

#[test]
fn recover_cli_json_contract() {
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["recover", "21%", "40%", "87%", "6%", "54%", "78%", "--n", "50..70", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rounding"], "half-up");
    let ns: Vec<u64> =
        v["candidates"].as_array().unwrap().iter().map(|c| c["n"].as_u64().unwrap()).collect();
    assert_eq!(ns, [63, 67, 68]);
    assert_eq!(v["candidates"][0]["counts"][3], serde_json::json!([4]));
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["recover", "<1%", "--n", "340", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["candidates"][0]["counts"][0], serde_json::json!([0, 1, 2, 3]));
    let bad = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["recover", "87", "--n", "abc"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Forward rounding of `k / n` to `decimals` places of a percentage, in integers:
/// returns the printed digits (or two candidates for `UpOrDown` ties).
fn printed_digits(k: u64, n: u64, decimals: u32, rounding: Rounding) -> Vec<i128> {
    let scale = 100 * 10i128.pow(decimals);
    let num = i128::from(k) * scale; // value = num / n in printed units
    let n = i128::from(n);
    let floor = num / n;
    let rem = num - floor * n; // 0 <= rem < n
    let twice = 2 * rem;
    match rounding {
        Rounding::Floor => vec![floor],
        Rounding::Ceiling => vec![if rem == 0 { floor } else { floor + 1 }],
        Rounding::HalfUp => vec![if twice >= n { floor + 1 } else { floor }],
        Rounding::HalfDown => vec![if twice > n { floor + 1 } else { floor }],
        Rounding::HalfEven => {
            vec![if twice > n || (twice == n && floor % 2 == 1) { floor + 1 } else { floor }]
        }
        Rounding::UpOrDown => {
            if twice == n {
                vec![floor, floor + 1]
            } else if twice > n {
                vec![floor + 1]
            } else {
                vec![floor]
            }
        }
    }
}

fn brute_force(f: &Figure, n: u64, rounding: Rounding) -> Vec<u64> {
    let scale = 100 * 10i128.pow(f.decimals);
    (0..=n)
        .filter(|&k| {
            let lhs = i128::from(k) * scale; // compare k / n with digits / scale
            let rhs = f.digits * i128::from(n);
            match f.relation {
                Relation::Rounded => printed_digits(k, n, f.decimals, rounding).contains(&f.digits),
                Relation::Below => lhs < rhs,
                Relation::AtMost => lhs <= rhs,
                Relation::Above => lhs > rhs,
                Relation::AtLeast => lhs >= rhs,
            }
        })
        .collect()
}

fn figure_strategy() -> impl Strategy<Value = Figure> {
    (0u32..=2, 0usize..5).prop_flat_map(|(decimals, rel)| {
        let top = 100 * 10i128.pow(decimals);
        (0..=top).prop_map(move |digits| {
            let int = digits / 10i128.pow(decimals);
            let frac = digits % 10i128.pow(decimals);
            let number = if decimals == 0 {
                format!("{int}")
            } else {
                format!("{int}.{frac:0width$}", width = decimals as usize)
            };
            let prefix = ["", "<", "<=", ">", ">="][rel];
            format!("{prefix}{number}%").parse::<Figure>().unwrap()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn counts_agree_with_brute_force_forward_rounding(
        f in figure_strategy(), n in 1u64..1500, scheme in 0usize..6
    ) {
        let rounding = Rounding::ALL[scheme];
        let fast: Vec<u64> = counts(&f, n, rounding).map(|r| r.collect()).unwrap_or_default();
        prop_assert_eq!(fast, brute_force(&f, n, rounding), "{} n={} {}", f.text, n, rounding);
    }
}
