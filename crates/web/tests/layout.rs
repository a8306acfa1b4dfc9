//! The layout shows the product (docs/architecture.md): one folder per capability with the
//! same name in the domain, the store and the web crate; capability folders that import each
//! other one way only; no source file past 600 lines of non-test code. Reads the sources, so
//! it needs no database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_NON_TEST_LINES: usize = 600;

/// Capabilities and the layers that have them (a layer without one has nothing to hold).
const CAPABILITIES: &[(&str, &[&str])] = &[
    ("identity", &["domain", "store", "web"]),
    ("registry", &["domain", "store", "web"]),
    ("referral", &["domain", "store", "web"]),
    ("presence", &["domain", "store", "web"]),
    ("statistics", &["domain", "store", "web"]),
    ("journal", &["domain", "store", "web"]),
    ("mail", &["store", "web"]),
    ("network", &["domain", "store", "web"]),
];

/// What every capability may use, below them all.
const KERNELS: &[&str] = &["http", "db", "seal", "spreadsheet", "access", "testing"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn source_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("source folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Lines before the file's test module (a file's tests may be as long as they need).
fn non_test_lines(text: &str) -> usize {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .count()
}

#[test]
fn every_capability_has_its_folder_in_each_layer() {
    let mut missing = Vec::new();
    for (capability, layers) in CAPABILITIES {
        for layer in *layers {
            let src = workspace().join("crates").join(layer).join("src");
            let folder = src.join(capability);
            let file = src.join(format!("{capability}.rs"));
            if !folder.is_dir() && !file.is_file() {
                missing.push(format!("crates/{layer}/src/{capability}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "capabilities missing from a layer: {missing:?}"
    );
}

#[test]
fn no_source_file_is_past_six_hundred_lines_of_code() {
    let mut long = Vec::new();
    for crate_dir in std::fs::read_dir(workspace().join("crates")).expect("crates") {
        let src = crate_dir.expect("crate").path().join("src");
        if !src.is_dir() {
            continue;
        }
        for file in source_files(&src) {
            let text = std::fs::read_to_string(&file).expect("source file");
            let lines = non_test_lines(&text);
            if lines > MAX_NON_TEST_LINES {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files past {MAX_NON_TEST_LINES} lines of non-test code: {long:#?}"
    );
}

/// The capability folders a crate's folder imports (`crate::<other>::…`).
fn imports_between_folders(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let folders: BTreeSet<String> = std::fs::read_dir(src)
        .expect("src")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !KERNELS.contains(&name.as_str()))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for folder in &folders {
        let uses = graph.entry(folder.clone()).or_default();
        for file in source_files(&src.join(folder)) {
            let text = std::fs::read_to_string(&file).expect("source file");
            for other in &folders {
                if other != folder && text.contains(&format!("crate::{other}::")) {
                    uses.insert(other.clone());
                }
            }
        }
    }
    graph
}

/// A circle of imports, if the graph has one.
fn a_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn capability_folders_import_each_other_one_way_only() {
    for layer in ["domain", "store", "web"] {
        let src = workspace().join("crates").join(layer).join("src");
        let graph = imports_between_folders(&src);
        assert!(
            graph.len() >= 5,
            "{layer}: the capability folders are read: {graph:?}"
        );
        if let Some(circle) = a_circle(&graph) {
            panic!(
                "{layer}: capability folders import each other: {}",
                circle.join(" → ")
            );
        }
    }
}

/// The folders below every capability, per layer: they name no capability but the journal,
/// which every write goes through.
const BELOW_CAPABILITIES: &[(&str, &[&str])] = &[
    ("web", &["http"]),
    ("store", &["db", "seal", "spreadsheet"]),
];

#[test]
fn the_kernels_name_no_capability() {
    let mut found = Vec::new();
    for (layer, kernels) in BELOW_CAPABILITIES {
        let src = workspace().join("crates").join(layer).join("src");
        for kernel in *kernels {
            for file in source_files(&src.join(kernel)) {
                let text = std::fs::read_to_string(&file).expect("source file");
                for (capability, _) in CAPABILITIES.iter().filter(|(c, _)| *c != "journal") {
                    if text.contains(&format!("crate::{capability}::")) {
                        found.push(format!("{} names {capability}", file.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "a kernel names a capability: {found:#?}");
}

#[test]
fn a_circle_is_seen() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default();
    assert_eq!(a_circle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(a_circle(&graph).map(|c| c.len()), Some(4));
}
