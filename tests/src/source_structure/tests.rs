//! The check on small synthetic crates written to a temporary folder.

use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;

/// Writes `files` (paths relative to the crate folder) and checks the library rooted at `src/lib.rs`.
fn check(files: &[(&str, &str)]) -> Report {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
        std::fs::write(&path, text).expect("write source");
    }
    check_roots(dir.path(), &[dir.path().join("src/lib.rs")]).expect("check runs")
}

/// `parent: member, member` for each cycle.
fn cycles(report: &Report) -> Vec<String> {
    report
        .cycles
        .iter()
        .map(|cycle| format!("{}: {}", cycle.parent, cycle.members.join(", ")))
        .collect()
}

/// `from -> to (n) at file:line path [via file:line]` for each edge of each cycle.
fn edges(report: &Report) -> Vec<String> {
    let edges = report.cycles.iter().flat_map(|cycle| &cycle.edges);
    edges
        .map(|edge| {
            let via = match &edge.example.via {
                Some(import) => format!(" via {import}"),
                None => String::new(),
            };
            format!(
                "{} -> {} ({}) at {} {}{via}",
                edge.from, edge.to, edge.references, edge.example.location, edge.example.path
            )
        })
        .collect()
}

fn function_of(lines: usize) -> String {
    let body = "    let _ = 0;\n".repeat(lines - 2);
    format!("fn f{lines}() {{\n{body}}}\n")
}

#[test]
fn a_two_module_cycle_is_found_with_an_example_per_edge() {
    let report = check(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "src/b.rs",
            "pub struct B;\npub fn make() -> crate::a::A {\n    crate::a::A\n}\n",
        ),
    ]);
    assert_eq!(cycles(&report), vec!["crate: a, b"]);
    assert_eq!(
        edges(&report),
        vec![
            "a -> b (1) at src/a.rs:1 crate::b::B",
            "b -> a (2) at src/b.rs:2 crate::a::A",
        ]
    );
    assert!(!report.is_clean());
    assert!(
        report
            .to_string()
            .contains("a -> b (1 reference), e.g. src/a.rs:1 `crate::b::B`")
    );
}

#[test]
fn a_three_module_cycle_through_super_paths_is_found_among_the_right_siblings() {
    let report = check(&[
        ("src/lib.rs", "mod outer;\n"),
        ("src/outer.rs", "mod x;\nmod y;\nmod z;\n"),
        ("src/outer/x.rs", "use super::y::Y;\npub struct X;\n"),
        (
            "src/outer/y.rs",
            "pub struct Y;\npub fn g() {\n    super::z::h();\n}\n",
        ),
        (
            "src/outer/z.rs",
            "pub fn h() -> Option<crate::outer::x::X> {\n    None\n}\n",
        ),
    ]);
    assert_eq!(cycles(&report), vec!["crate::outer: x, y, z"]);
    assert_eq!(
        edges(&report),
        vec![
            "x -> y (1) at src/outer/x.rs:1 super::y::Y",
            "y -> z (1) at src/outer/y.rs:3 super::z::h",
            "z -> x (1) at src/outer/z.rs:1 crate::outer::x::X",
        ]
    );
}

#[test]
fn use_trees_with_braces_give_one_reference_per_leaf() {
    let report = check(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "src/a.rs",
            "use crate::{\n    c::C,\n    b::{B, helper},\n};\npub struct A;\n",
        ),
        (
            "src/b.rs",
            "use crate::a::A;\npub struct B;\npub fn helper() {}\n",
        ),
        ("src/c.rs", "pub struct C;\n"),
    ]);
    assert_eq!(cycles(&report), vec!["crate: a, b"]);
    assert_eq!(
        edges(&report),
        vec![
            "a -> b (2) at src/a.rs:3 crate::b::B",
            "b -> a (1) at src/b.rs:1 crate::a::A",
        ]
    );
}

#[test]
fn a_parent_re_exporting_its_children_and_children_using_parent_items_is_no_cycle() {
    let report = check(&[
        (
            "src/lib.rs",
            "mod a;\nmod b;\npub use a::A;\npub use self::b::B;\npub const LIMIT: usize = 1;\nfn f() -> b::B {\n    crate::b::B\n}\n",
        ),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "src/b.rs",
            "use super::LIMIT as L;\npub struct B;\npub const M: usize = crate::LIMIT + L;\n",
        ),
    ]);
    assert_eq!(cycles(&report), Vec::<String>::new());
    assert!(report.is_clean(), "{report}");
}

#[test]
fn a_path_through_a_parent_re_export_lands_in_the_sibling_that_defines_the_item() {
    let report = check(&[
        ("src/lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "src/b.rs",
            "pub struct B;\npub fn f() -> Option<crate::A> {\n    None\n}\n",
        ),
    ]);
    assert_eq!(
        edges(&report),
        vec![
            "a -> b (1) at src/a.rs:1 crate::b::B",
            "b -> a (1) at src/b.rs:2 crate::A via src/lib.rs:3",
        ]
    );
}

#[test]
fn references_from_test_code_are_ignored() {
    let report = check(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "src/b.rs",
            "pub struct B;\npub mod test_support;\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n#[cfg(test)]\nmod b_tests;\n#[cfg(all(test, unix))]\nfn helper() -> Option<crate::a::A> {\n    None\n}\nimpl B {\n    #[cfg(test)]\n    fn fixture() -> Option<crate::a::A> {\n        None\n    }\n}\n",
        ),
        ("src/b/test_support.rs", "use crate::a::A;\n"),
    ]);
    assert!(report.is_clean(), "{report}");
}

#[test]
fn comments_and_string_literals_are_ignored_but_macro_arguments_count() {
    let quiet = "pub struct B;\n// use crate::a::A;\n/* crate::a::A */\n/// See [`crate::a::A`].\npub const S: &str = \"crate::a::A\";\npub fn p() {\n    println!(\"{} crate::a::A\", \"crate::a::A\");\n}\n";
    let files = |b: &'static str| {
        [
            ("src/lib.rs", "mod a;\nmod b;\n"),
            (
                "src/a.rs",
                "use crate::b::B;\npub struct A;\npub fn make() {}\n",
            ),
            ("src/b.rs", b),
        ]
    };
    assert!(check(&files(quiet)).is_clean());
    let loud = "pub struct B;\npub fn v() -> Vec<()> {\n    vec![crate::a::make()]\n}\n";
    assert_eq!(
        edges(&check(&files(loud))),
        vec![
            "a -> b (1) at src/a.rs:1 crate::b::B",
            "b -> a (1) at src/b.rs:3 crate::a::make",
        ]
    );
}

#[test]
fn globs_inline_modules_mod_rs_and_path_attributes_are_followed() {
    let report = check(&[
        (
            "src/lib.rs",
            "mod a;\n#[path = \"other/b_impl.rs\"]\nmod b;\nmod c;\n",
        ),
        ("src/a/mod.rs", "mod child;\npub struct A;\n"),
        (
            "src/a/child.rs",
            "pub fn f() -> Option<crate::b::B> {\n    None\n}\n",
        ),
        (
            "src/other/b_impl.rs",
            "pub struct B;\nmod inner {\n    use crate::c::*;\n}\n",
        ),
        ("src/c.rs", "pub use super::a::A;\n"),
    ]);
    assert_eq!(cycles(&report), vec!["crate: a, b, c"]);
    assert_eq!(
        edges(&report),
        vec![
            "a -> b (1) at src/a/child.rs:1 crate::b::B",
            "b -> c (1) at src/other/b_impl.rs:3 crate::c",
            "c -> a (1) at src/c.rs:1 super::a::A",
        ]
    );
}

#[test]
fn a_121_line_function_is_reported_and_a_120_line_one_is_not() {
    let source = format!(
        "{}{}pub struct S;\nimpl S {{\n{}}}\n#[cfg(test)]\nmod tests {{\n{}}}\n",
        function_of(120),
        function_of(121),
        function_of(125),
        function_of(130)
    );
    let report = check(&[("src/lib.rs", &source)]);
    let long: Vec<String> = report
        .long_functions
        .iter()
        .map(|function| format!("{} {} {}", function.location, function.name, function.lines))
        .collect();
    assert_eq!(
        long,
        vec!["src/lib.rs:121 f121 121", "src/lib.rs:244 S::f125 125"]
    );
}

#[test]
fn a_file_over_800_lines_is_reported_not_counting_its_test_module() {
    let lines = |count: usize| "pub const X: u8 = 0;\n".repeat(count);
    let long = lines(801);
    let exact = lines(800);
    let with_tests = format!(
        "{}#[cfg(test)]\nmod tests {{\n{}}}\n",
        lines(790),
        lines(40)
    );
    let report = check(&[
        ("src/lib.rs", "mod long;\nmod exact;\nmod with_tests;\n"),
        ("src/long.rs", &long),
        ("src/exact.rs", &exact),
        ("src/with_tests.rs", &with_tests),
    ]);
    assert_eq!(
        report.long_files,
        vec![LongFile {
            path: Path::new("src/long.rs").to_path_buf(),
            lines: 801
        }]
    );
}

#[test]
fn a_module_without_a_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).expect("create src");
    std::fs::write(dir.path().join("src/lib.rs"), "mod gone;\n").expect("write lib.rs");
    let error = check_roots(dir.path(), &[dir.path().join("src/lib.rs")])
        .err()
        .expect("a missing module fails the check");
    assert_eq!(
        error.to_string(),
        "src/lib.rs:1: no file for `mod gone;` (looked for src/gone.rs and src/gone/mod.rs)"
    );
}

#[test]
fn the_workspace_targets_are_read_from_the_manifests() {
    let roots = crate_roots(&workspace_root()).expect("manifests parse");
    let shown: Vec<String> = roots
        .iter()
        .filter_map(|root| root.strip_prefix(workspace_root()).ok())
        .map(|root| root.display().to_string())
        .collect();
    for expected in [
        "app-server-protocol/src/lib.rs",
        "app-server/src/lib.rs",
        "app-server/src/main.rs",
        "core/src/lib.rs",
        "tests/src/bin/source_structure.rs",
        "tests/src/lib.rs",
    ] {
        assert!(
            shown.contains(&expected.to_string()),
            "{expected} in {shown:?}"
        );
    }
}
