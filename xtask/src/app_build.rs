//! Builds the dashboard with Trunk into `dist/` and precompresses it.

use std::path::Path;

use crate::compress;
use crate::shell::{cmd, timed};

pub(crate) fn build_release(root: &Path) -> anyhow::Result<()> {
    timed(
        "app",
        "trunk build --release (wasm-release profile, wasm-opt -Oz)",
        || {
            // Trunk runs cargo offline (Trunk.toml); fetch first so a fresh clone has the crates.
            cmd("cargo").args(["fetch", "--locked"]).run()?;
            cmd("trunk")
                .args(["build", "--release"])
                .current_dir(root)
                .run()?;
            let files = compress::precompress_dir(&root.join("dist"))?;
            eprintln!("precompressed {files} files (brotli, gzip)");
            Ok(())
        },
    )
}
