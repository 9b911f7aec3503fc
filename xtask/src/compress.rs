//! Brotli and gzip at their highest settings, for the precompressed files the server sends and
//! for the sizes `cargo xtask size` reports.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// File types worth compressing (the rest, like images, already are).
const COMPRESSIBLE: &[&str] = &["html", "js", "wasm", "css", "svg", "json", "txt"];

pub(crate) fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut input = data;
    brotli::BrotliCompress(&mut input, &mut out, &params)
        .expect("compressing in memory cannot fail");
    out
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .expect("compressing in memory cannot fail");
    encoder.finish().expect("compressing in memory cannot fail")
}

/// Writes `name.br` and `name.gz` beside every compressible file in `dir`.
pub(crate) fn precompress_dir(dir: &Path) -> anyhow::Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            count += precompress_dir(&path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(&path)?;
        let with_ext = |suffix: &str, bytes: Vec<u8>| {
            let mut target = path.clone().into_os_string();
            target.push(suffix);
            std::fs::write(&target, bytes)
        };
        with_ext(".br", brotli(&data))?;
        with_ext(".gz", gzip(&data))?;
        count += 1;
    }
    Ok(count)
}
