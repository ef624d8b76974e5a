//! Checks that the UI is built (Tauri embeds `../ui/dist` at compile time),
//! then runs Tauri's build step.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.join("index.html").is_file() {
        panic!(
            "the UI is not built: {} has no index.html; run `npm run build` at the repository root first",
            dist.display()
        );
    }
    tauri_build::build();
}
