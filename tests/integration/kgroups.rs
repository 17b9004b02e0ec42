//! More than two groups: pairwise comparisons with significance letters, and the
//! Monte Carlo version of the exact k-group test.

use invitestat::stats::Proportion;
use invitestat::stats::contingency::{
    fisher_freeman_halton, fisher_freeman_halton_monte_carlo, fisher_freeman_halton_rc,
    fisher_freeman_halton_rc_monte_carlo, pairwise_letters,
};
use invitestat::stats::multiplicity::Adjustment;
use invitestat::stats::significance::TestMethod;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn groups(list: &[(u64, u64)]) -> Vec<Proportion> {
    list.iter().map(|&(x, n)| Proportion::new(x, n).unwrap()).collect()
}

#[test]
fn letters_mark_the_groups_each_one_is_significantly_higher_than() {
    let g = groups(&[(45, 50), (20, 50), (22, 50)]);
    let (pairs, letters) = pairwise_letters(&g, TestMethod::Fisher, Adjustment::Holm, 0.05);
    assert_eq!(letters, ["BC", "", ""]);
    assert_eq!(pairs.len(), 3);
    // B vs C (20/50 vs 22/50) is far from significant; Holm never lowers a p-value.
    let bc = pairs.iter().find(|p| p.a == 1 && p.b == 2).unwrap();
    assert!(!bc.significant && bc.p_adjusted.unwrap() >= bc.p_value.unwrap());
    // The October experiment: 10/10, 7/10, 6/11 - no pair survives Holm.
    let (_, letters) = pairwise_letters(
        &groups(&[(10, 10), (7, 10), (6, 11)]),
        TestMethod::Fisher,
        Adjustment::Holm,
        0.05,
    );
    assert_eq!(letters, ["", "", ""]);
}

#[test]
fn monte_carlo_exact_test_agrees_with_enumeration_and_is_seeded() {
    let g = groups(&[(12, 30), (20, 30), (8, 30), (15, 25)]);
    let exact = fisher_freeman_halton(&g).unwrap().p_value.p;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mc = fisher_freeman_halton_monte_carlo(&g, 20_000, &mut rng);
    assert!((mc.p_value - exact).abs() < 4.0 * mc.standard_error + 1e-4, "{mc:?} vs {exact}");
    let again = fisher_freeman_halton_monte_carlo(&g, 20_000, &mut ChaCha8Rng::seed_from_u64(7));
    assert_eq!(mc, again);
    // A table far too large to enumerate still gets an answer.
    let big = groups(&[(5_000, 20_000), (5_200, 20_000), (4_900, 20_000)]);
    assert!(fisher_freeman_halton(&big).is_err());
    let mc = fisher_freeman_halton_monte_carlo(&big, 2_000, &mut ChaCha8Rng::seed_from_u64(1));
    assert!(mc.p_value > 0.0 && mc.p_value < 1.0);
}

#[test]
fn monte_carlo_rc_test_agrees_with_enumeration_and_is_seeded() {
    // 3 answers x 3 groups, with an empty row that is dropped.
    let t = vec![vec![4, 9, 2], vec![0, 0, 0], vec![7, 3, 8], vec![5, 6, 1]];
    let exact = fisher_freeman_halton_rc(&t).unwrap().p_value.p;
    let mc = fisher_freeman_halton_rc_monte_carlo(&t, 40_000, &mut ChaCha8Rng::seed_from_u64(3))
        .unwrap();
    assert!((mc.p_value - exact).abs() < 4.0 * mc.standard_error + 1e-4, "{mc:?} vs {exact}");
    let again = fisher_freeman_halton_rc_monte_carlo(&t, 40_000, &mut ChaCha8Rng::seed_from_u64(3))
        .unwrap();
    assert_eq!(mc, again);
    // The main-use question (R fisher.test p = 3.5e-19): no drawn table is as extreme,
    // so the estimate is the smallest possible, 1 / (1 + B).
    let main_use = vec![vec![11, 179], vec![21, 2], vec![21, 164]];
    let mc =
        fisher_freeman_halton_rc_monte_carlo(&main_use, 999, &mut ChaCha8Rng::seed_from_u64(1))
            .unwrap();
    assert_eq!(mc.p_value, 1.0 / 1000.0);
    // Independent-looking table: the estimate is near 1.
    let flat = vec![vec![10, 10, 10], vec![10, 10, 10]];
    let mc = fisher_freeman_halton_rc_monte_carlo(&flat, 2_000, &mut ChaCha8Rng::seed_from_u64(5))
        .unwrap();
    assert!(mc.p_value > 0.95, "{mc:?}");
    // Too large to enumerate: still answered.
    let big = vec![vec![900, 950, 1_000], vec![800, 700, 760], vec![400, 420, 380]];
    assert!(fisher_freeman_halton_rc(&big).is_err());
    let mc = fisher_freeman_halton_rc_monte_carlo(&big, 2_000, &mut ChaCha8Rng::seed_from_u64(9))
        .unwrap();
    assert!(mc.p_value > 0.0 && mc.p_value <= 1.0);
    // A single non-empty column is not a test.
    assert!(
        fisher_freeman_halton_rc_monte_carlo(
            &[vec![3, 0], vec![4, 0]],
            10,
            &mut ChaCha8Rng::seed_from_u64(1)
        )
        .is_err()
    );
}

/// With the middle group (Hybrid, B) absent, the other two keep their codebook letters
/// (A and C) in the analysis, the CSV and the report, and no letter names Hybrid.
#[test]
fn a_group_without_answers_leaves_the_other_letters_in_place() {
    let root =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/three-groups-example");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("no-hybrid.csv");
    let text = std::fs::read_to_string(root.join("responses.csv")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| l.split(',').nth(1) != Some("H")).collect();
    std::fs::write(&data, kept.join("\n") + "\n").unwrap();
    let codebook = invitestat::Codebook::from_path(&root.join("codebook.toml")).unwrap();
    let report =
        invitestat::analyse_file(&data, &codebook, &invitestat::Options::default()).unwrap();
    let a = report.analysis.as_ref().unwrap();
    assert!(!a.group_tests.is_empty());
    let mut some_letter = false;
    for g in &a.group_tests {
        assert_eq!(g.groups, ["office", "remote"]);
        assert_eq!(g.group_letters, ["A", "C"]);
        for (own, higher) in g.group_letters.iter().zip(&g.letters) {
            assert!(higher.chars().all(|c| c == 'A' || c == 'C') && !higher.contains(own.as_str()));
            some_letter |= !higher.is_empty();
        }
    }
    assert!(some_letter, "no pair differs: the test shows nothing");
    let out = dir.path().join("report");
    report.save(&out, invitestat::report::Formats::parse("csv,md").unwrap()).unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let rows: Vec<&str> =
        md.lines().filter(|l| l.contains("Office-based ") && l.contains(" A: ")).collect();
    assert!(!rows.is_empty(), "{md}");
    assert!(rows.iter().all(|l| l.contains("; C: ") && !l.contains("B: ")), "{rows:#?}");
}
