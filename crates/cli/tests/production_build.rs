//! The production build (`--no-default-features`, as docs/deploy.md and the container build
//! it) holds neither the demonstration data nor the benchmark's load client.

use std::process::Command;

/// The crates `passerelle` links in a production build, one name per line.
fn production_crates() -> String {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "passerelle",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p} {f}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_production_binary_holds_no_demonstration_nor_benchmark_code() {
    let crates = production_crates();
    assert!(crates.contains("passerelle-web"), "{crates}");
    for line in crates.lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        assert_ne!(
            name, "passerelle-demo",
            "demo data in the production tree:\n{crates}"
        );
        assert_ne!(
            name, "passerelle-bench",
            "benchmark in the production tree:\n{crates}"
        );
        // The only reqwest is OpenID Connect's, without the load client's cookie store.
        if name == "reqwest" {
            assert!(
                !line.contains("cookies"),
                "the load client's reqwest: {line}"
            );
        }
    }
}

#[test]
fn the_development_build_keeps_the_demonstration() {
    // The same query with the default features must see the demo: otherwise the test above
    // would pass on a tree that never held it.
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "passerelle",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let crates = String::from_utf8_lossy(&output.stdout);
    assert!(
        crates
            .lines()
            .any(|line| line.starts_with("passerelle-demo ")),
        "{crates}"
    );
}
