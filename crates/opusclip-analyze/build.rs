//! Finds the SeetaFace model that ships inside the `rustface` crate's package and copies it into
//! OUT_DIR, so the binary embeds it (`include_bytes!`) and needs no model file at run time.

use std::path::{Path, PathBuf};

const MODEL: &str = "seeta_fd_frontal_v1.0.bin";

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let found = candidate_roots().into_iter().find_map(|root| find_model(&root));
    match found {
        Some(model) => {
            std::fs::copy(&model, out.join(MODEL)).expect("copy the rustface model into OUT_DIR");
            println!("cargo:rerun-if-changed={}", model.display());
        }
        None => panic!(
            "rustface's model {MODEL} was not found under the cargo registry; run `cargo fetch` \
             (or set OPUSCLIP_FACE_MODEL to the file)"
        ),
    }
    println!("cargo:rerun-if-env-changed=OPUSCLIP_FACE_MODEL");
}

fn candidate_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(explicit) = std::env::var("OPUSCLIP_FACE_MODEL") {
        roots.push(PathBuf::from(explicit));
    }
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    roots.push(cargo_home.join("registry").join("src"));
    // A vendored build keeps crates beside the workspace.
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    roots.push(manifest.join("../../vendor"));
    roots
}

fn find_model(root: &Path) -> Option<PathBuf> {
    if root.is_file() {
        return Some(root.to_path_buf());
    }
    for registry in std::fs::read_dir(root).ok()?.flatten() {
        let direct = registry.path().join("model").join(MODEL);
        if registry.file_name().to_string_lossy().starts_with("rustface-") && direct.is_file() {
            return Some(direct);
        }
        for package in std::fs::read_dir(registry.path()).ok().into_iter().flatten().flatten() {
            let name = package.file_name().to_string_lossy().into_owned();
            let candidate = package.path().join("model").join(MODEL);
            if name.starts_with("rustface-0.1") && candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}
