// The official referentials are generated from pinned npm packages by scripts/assets.sh;
// say so plainly instead of failing on a missing include_str!.
fn main() {
    // sqlx::migrate! embeds the migrations at compile time: a new file must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
    for file in ["regions.csv", "departements.csv", "communes.csv"] {
        let path = format!("referentials/{file}");
        println!("cargo:rerun-if-changed={path}");
        if !std::path::Path::new(&path).exists() {
            panic!(
                "{path} is missing: run `scripts/assets.sh` once (it generates the referentials from the pinned npm packages)"
            );
        }
    }
}
