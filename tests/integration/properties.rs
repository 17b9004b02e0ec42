//! Property tests: invariants every method must satisfy on any input.

use invitestat::stats::ci::{CiMethod, proportion_ci};
use invitestat::stats::difference::{DifferenceMethod, difference_ci};
use invitestat::stats::multiplicity::{Adjustment, adjust};
use invitestat::stats::significance::{TestMethod, two_group_test};
use invitestat::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use proptest::prelude::*;

const TWO: Alternative = Alternative::TwoSided;

fn proportion() -> impl Strategy<Value = Proportion> {
    (1u64..2000).prop_flat_map(|n| (0..=n).prop_map(move |x| Proportion::new(x, n).unwrap()))
}

fn level() -> impl Strategy<Value = f64> {
    0.5f64..0.999
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn bounds_are_ordered_and_inside_unit_interval(p in proportion(), l in level()) {
        let level = ConfidenceLevel::new(l).unwrap();
        for m in CiMethod::ALL {
            let i = proportion_ci(p, m, level, TWO);
            prop_assert!(0.0 <= i.lower && i.lower <= i.upper && i.upper <= 1.0, "{m:?} {p:?} {i:?}");
            if m != CiMethod::Wald {
                prop_assert!(i.contains(p.estimate()) || (m == CiMethod::AgrestiCoull), "{m:?} {p:?} {i:?}");
            }
        }
    }

    #[test]
    fn higher_confidence_gives_wider_intervals(p in proportion(), l in 0.5f64..0.98) {
        let lo = ConfidenceLevel::new(l).unwrap();
        let hi = ConfidenceLevel::new(l + 0.01).unwrap();
        for m in CiMethod::ALL {
            let a = proportion_ci(p, m, lo, TWO);
            let b = proportion_ci(p, m, hi, TWO);
            prop_assert!(b.lower <= a.lower + 1e-12 && b.upper >= a.upper - 1e-12, "{m:?} {p:?}");
        }
    }

    #[test]
    fn intervals_mirror_under_x_to_n_minus_x(p in proportion(), l in level()) {
        let level = ConfidenceLevel::new(l).unwrap();
        let q = Proportion::new(p.n - p.successes, p.n).unwrap();
        for m in CiMethod::ALL {
            let a = proportion_ci(p, m, level, TWO);
            let b = proportion_ci(q, m, level, TWO);
            prop_assert!((a.lower - (1.0 - b.upper)).abs() < 1e-9, "{m:?} {p:?} {a:?} {b:?}");
            prop_assert!((a.upper - (1.0 - b.lower)).abs() < 1e-9, "{m:?} {p:?} {a:?} {b:?}");
        }
    }

    #[test]
    fn difference_intervals_are_ordered_and_swap_sign(
        a in proportion(), b in proportion(), l in level()
    ) {
        let level = ConfidenceLevel::new(l).unwrap();
        let g = TwoGroups { first: a, second: b };
        let swapped = TwoGroups { first: b, second: a };
        for m in DifferenceMethod::ALL {
            let i = difference_ci(&g, m, level, TWO);
            let j = difference_ci(&swapped, m, level, TWO);
            prop_assert!(-1.0 <= i.lower && i.lower <= i.upper && i.upper <= 1.0, "{m:?} {g:?} {i:?}");
            prop_assert!((i.lower + j.upper).abs() < 1e-7 && (i.upper + j.lower).abs() < 1e-7,
                "{m:?} {g:?} {i:?} {j:?}");
        }
    }

    #[test]
    fn p_values_lie_in_unit_interval(a in proportion(), b in proportion()) {
        let g = TwoGroups { first: a, second: b };
        for m in TestMethod::ALL {
            if matches!(m, TestMethod::Barnard | TestMethod::Boschloo) && (a.n + 1) * (b.n + 1) > 40_000 {
                continue;
            }
            if let Ok(t) = two_group_test(&g, m, TWO) {
                prop_assert!((0.0..=1.0).contains(&t.p_value.p), "{m:?} {g:?} {t:?}");
                prop_assert!(t.p_value.log10 <= 0.0);
            }
        }
    }

    #[test]
    fn adjusted_p_values_are_ordered(ps in prop::collection::vec(0.0f64..=1.0, 1..40)) {
        let bonf = adjust(&ps, Adjustment::Bonferroni).unwrap();
        let holm = adjust(&ps, Adjustment::Holm).unwrap();
        let hoch = adjust(&ps, Adjustment::Hochberg).unwrap();
        let bh = adjust(&ps, Adjustment::Bh).unwrap();
        let by = adjust(&ps, Adjustment::By).unwrap();
        for k in 0..ps.len() {
            for adj in [&bonf, &holm, &hoch, &bh, &by] {
                prop_assert!(adj[k] >= ps[k] - 1e-15 && adj[k] <= 1.0);
            }
            prop_assert!(bh[k] <= holm[k] + 1e-15 && holm[k] <= bonf[k] + 1e-15);
            prop_assert!(hoch[k] <= holm[k] + 1e-15 && bh[k] <= by[k] + 1e-15);
        }
    }
}

#[test]
fn fisher_is_exact_and_fast_at_a_million() {
    // 520000/600000 vs 214000/340000: p ~ 10^-14996, far below f64.
    let g = TwoGroups::new(520_000, 600_000, 214_000, 340_000).unwrap();
    let t = two_group_test(&g, TestMethod::Fisher, TWO).unwrap();
    assert_eq!(t.p_value.p, 0.0);
    assert!(t.p_value.log10 < -14_000.0 && t.p_value.log10.is_finite());
}

#[test]
fn undefined_quantities_say_why() {
    let g = TwoGroups::new(0, 20, 0, 30).unwrap();
    assert!(two_group_test(&g, TestMethod::Z, TWO).is_err());
    assert_eq!(two_group_test(&g, TestMethod::Fisher, TWO).unwrap().p_value.p, 1.0);
    let g = TwoGroups::new(24, 60, 0, 340).unwrap();
    let err = invitestat::stats::ratio::odds_ratio(&g).unwrap_err();
    assert!(err.to_string().contains("zero cell"));
}

/// Words the article reader's rules look for, and some they must not trip on.
const ARTICLE_WORDS: &[&str] = &[
    "We",
    "surveyed",
    "400",
    "1,000",
    "including",
    "almost",
    "about",
    "more",
    "than",
    "half",
    "of",
    "them",
    "the",
    "recruiters",
    "non-recruiters",
    "general",
    "others",
    "who",
    "work",
    "in",
    "recruitment",
    "87%",
    "63%",
    "<1%",
    "12.5%",
    "100%",
    "0%",
    "Less",
    "(",
    ")",
    ",",
    ".",
    ":",
    "–",
    "and",
    "majority",
    "vast",
    "most",
    "times",
    "three",
    "twice",
    "50x",
    "as",
    "likely",
    "to",
    "be",
    "a",
    "accept",
    "invite",
    "discriminately",
    "they",
    "this",
    "way",
    "mainly",
    "using",
    "are",
    "will",
    "only",
    "compared",
    "with",
    "French",
    "Poles",
    "\n\n",
    "\n",
    "1.",
    "–",
    "x",
    "9999999999",
    "0",
    "?",
    "...",
    "that",
    "reason",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any text gives a reading (never a panic), and its draft is either a valid codebook
    /// or refused with a codebook error; judging a valid one never panics either.
    #[test]
    fn any_text_reads_and_its_draft_parses_or_is_refused(
        words in proptest::collection::vec(proptest::sample::select(ARTICLE_WORDS), 0..80)
    ) {
        let text = words.join(" ");
        let reading = invitestat::article::read(&text, "t.txt");
        let toml = reading.to_toml();
        prop_assert!(toml.starts_with("# Codebook drafted by `invitestat check`"));
        if let Ok(codebook) = reading.codebook() {
            prop_assert_eq!(codebook.claims.len(), reading.claims.len());
            let _ = invitestat::study::check_reading(&reading, 1, Default::default());
        }
        // The same text reads the same way.
        prop_assert_eq!(invitestat::article::read(&text, "t.txt"), reading);
    }
}
