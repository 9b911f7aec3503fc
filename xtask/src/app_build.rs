//! Builds the three browser bundles with Trunk and precompresses them: the panel into `dist/`
//! (hashed file names, `index.html` for every client-side route), the pages it loads on demand
//! into `dist/deferred/` and the embeddable widget into `dist/widget/` (stable names: the panel
//! imports `/deferred/opsux-deferred.js`, host pages load `/widget/opsux-widget.js`).
//!
//! The panel is compiled with Leptos' `erase_components`: every component's view and every
//! reactive closure is type-erased, so the rendering code is generated once per output type
//! instead of once per call site — a quarter of the panel's code, at the price of one
//! allocation and an indirect call per reactive closure. The widget, with a handful of
//! components, comes out larger that way and is built without it. The flag changes every
//! crate's build, so the panel and its deferred pages have their own target folder
//! (`target/panel`) and neither build throws the other's away.

use std::path::Path;

use crate::compress;
use crate::shell::{cmd, timed};

/// What the panel's crates are compiled with (see the module's comment).
const PANEL_RUSTFLAGS: &str = "--cfg erase_components";

pub(crate) fn build_release(root: &Path) -> anyhow::Result<()> {
    timed(
        "app",
        "trunk build --release: panel, deferred pages and widget (wasm-release profile, wasm-opt -Oz)",
        || {
            // Trunk runs cargo offline (Trunk.toml); fetch first so a fresh clone has the crates.
            cmd("cargo").args(["fetch", "--locked"]).run()?;
            // The panel first: Trunk empties its dist folder, which holds the widget's.
            cmd("trunk")
                .args(["build", "--release"])
                .env("RUSTFLAGS", PANEL_RUSTFLAGS)
                .env("CARGO_TARGET_DIR", root.join("target/panel"))
                .current_dir(root)
                .run()?;
            stable_names(root, "deferred", "app/deferred.html", true)?;
            stable_names(root, "widget", "app/widget.html", false)?;
            let files = compress::precompress_dir(&root.join("dist"))?;
            eprintln!("precompressed {files} files (brotli, gzip)");
            Ok(())
        },
    )
}

/// Builds `page` into `dist/{folder}/`, served at `/{folder}/` under names that do not change
/// between builds (what loads them names them). `erased`: with the panel's flags and target
/// folder.
fn stable_names(root: &Path, folder: &str, page: &str, erased: bool) -> anyhow::Result<()> {
    let dist = format!("dist/{folder}");
    let public_url = format!("/{folder}/");
    let mut trunk = cmd("trunk")
        .args([
            "build",
            "--release=true",
            "--filehash=false",
            "--dist",
            &dist,
            "--public-url",
            &public_url,
            page,
        ])
        .current_dir(root);
    if erased {
        trunk = trunk
            .env("RUSTFLAGS", PANEL_RUSTFLAGS)
            .env("CARGO_TARGET_DIR", root.join("target/panel"));
    }
    trunk.run()?;
    // The build's own page is only Trunk's vehicle; no one should load it.
    let vehicle = root.join(&dist).join("index.html");
    if vehicle.exists() {
        std::fs::remove_file(vehicle)?;
    }
    Ok(())
}
