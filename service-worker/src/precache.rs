//! The precache list and the script of `/sw.js`, made from a built site at server start-up.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};

/// The worker's JavaScript, without the precache list.
const WORKER_SOURCE: &str = include_str!("js/worker.js");

/// Why a precache manifest could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrecacheError {
    /// The site directory, or something in it, could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A file name cannot be a URL path (not UTF-8).
    #[error("{0} has a name that cannot be served")]
    BadName(PathBuf),
}

/// One file to precache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// Its URL path, e.g. `/pkg/lost-device.abc123.wasm`.
    pub url: String,
    /// Its Subresource Integrity value, `sha384-…`.
    pub integrity: String,
}

/// Everything the worker stores on install, and the name of this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Precache {
    /// Changes whenever any file, page URL or `build_id` changes; names the worker's cache.
    pub version: String,
    /// Every file of the built site.
    pub assets: Vec<Asset>,
    /// Every page URL, rendered by the server when the worker installs.
    pub pages: Vec<String>,
    /// The page shown offline for an address that has no saved copy.
    pub offline: String,
    /// What the worker stores in a second step, once the first has made the guidance work
    /// offline, in the order it asks for them: the app's code (the WebAssembly first, then its
    /// glue), the pages that need it, and what only installing the app to the home screen uses
    /// (icons, manifest).
    pub later: Vec<String>,
}

impl Precache {
    /// Lists every file under `site_root` and the given page URLs. Left out: precompressed
    /// `.br`/`.gz` twins (the same content) and wasm-bindgen's `.d.ts` type files (never loaded). `build_id` distinguishes server builds whose
    /// files are the same, so a server-only change still reaches phones.
    pub fn from_site(
        site_root: &Path,
        pages: &[&str],
        offline: &str,
        build_id: &str,
    ) -> Result<Self, PrecacheError> {
        let mut files = Vec::new();
        collect_files(site_root, &mut files)?;
        files.sort();
        let mut assets = Vec::with_capacity(files.len());
        let mut version = Sha256::new();
        version.update(build_id.as_bytes());
        for file in files {
            let bytes = std::fs::read(&file).map_err(|source| PrecacheError::Read {
                path: file.clone(),
                source,
            })?;
            let relative = file.strip_prefix(site_root).unwrap_or(&file);
            let url = url_path(relative).ok_or_else(|| PrecacheError::BadName(file.clone()))?;
            let integrity = format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes))
            );
            version.update(url.as_bytes());
            version.update(integrity.as_bytes());
            assets.push(Asset { url, integrity });
        }
        let mut pages: Vec<String> = pages.iter().map(|p| (*p).to_owned()).collect();
        if !pages.iter().any(|p| p == offline) {
            pages.push(offline.to_owned());
        }
        for page in &pages {
            version.update(page.as_bytes());
        }
        // 16 hex digits are plenty to tell builds apart.
        let mut version = format!("{:x}", version.finalize());
        version.truncate(16);
        Ok(Self {
            version,
            assets,
            pages,
            offline: offline.to_owned(),
            later: Vec::new(),
        })
    }

    /// The same list, with the app's code, what installing uses, and `pages` (pages that need
    /// that code) stored in the second step.
    ///
    /// The WebAssembly is asked for first: it is most of the step's bytes, and a browser sends
    /// only six requests to a server at a time, each waiting a round trip. Asked for last, it
    /// waited for a turn while a weak link carried only the small files; asked for first, it
    /// fills the link while they wait, and still after every file of the first step, so it never
    /// goes ahead of the guidance.
    #[must_use]
    pub fn later(mut self, pages: &[&str]) -> Self {
        let urls = || self.assets.iter().map(|asset| asset.url.as_str());
        let (wasm, glue): (Vec<&str>, Vec<&str>) = urls()
            .filter(|url| is_app_code(url))
            .partition(|url| has_extension(url, "wasm"));
        let later = wasm
            .into_iter()
            .chain(glue)
            .chain(pages.iter().copied())
            .chain(urls().filter(|url| is_for_installing(url)))
            .map(str::to_owned)
            .collect();
        self.later = later;
        self
    }

    /// The bytes of `/sw.js` for this build: the manifest as a constant, then the worker's code.
    pub fn worker_script(&self) -> String {
        // Serialising plain strings and vectors cannot fail.
        let manifest = serde_json::to_string(self).unwrap_or_default();
        let handover = crate::handover::Handover::new().script_constant();
        format!("const PRECACHE = {manifest};\n{handover}{WORKER_SOURCE}")
    }
}

/// Whether the file at `url` is the app's code: the WebAssembly and the JavaScript that
/// cargo-leptos builds beside it in `/pkg/`, and `/hydrate.js`, which only loads them (the
/// other plain scripts at the root work without them).
fn is_app_code(url: &str) -> bool {
    url == "/hydrate.js"
        || url.starts_with("/pkg/") && (has_extension(url, "wasm") || has_extension(url, "js"))
}

fn has_extension(url: &str, wanted: &str) -> bool {
    Path::new(url)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

/// Whether the file at `url` is used only to install the app (the home screen's icons and the
/// manifest that names them), not to read a page.
fn is_for_installing(url: &str) -> bool {
    url.starts_with("/icons/") || url == "/manifest.webmanifest" || url == "/favicon.ico"
}

/// Folders of the site that are not stored for offline use: the install sheet's screenshots,
/// which only an online browser shows, and which would double the first visit's bytes.
pub const NOT_PRECACHED: [&str; 1] = ["screenshots"];

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PrecacheError> {
    let read_error = |source| PrecacheError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let skipped = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| NOT_PRECACHED.contains(&name));
        if skipped {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("br" | "gz" | "ts")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn url_path(relative: &Path) -> Option<String> {
    let mut url = String::new();
    for part in relative.components() {
        url.push('/');
        url.push_str(part.as_os_str().to_str()?);
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
            std::fs::write(path, content).expect("write");
        }
        dir
    }

    fn precache(dir: &tempfile::TempDir) -> Precache {
        Precache::from_site(dir.path(), &["/", "/contacts"], "/offline", "build-1")
            .expect("precache")
    }

    #[test]
    fn every_file_is_listed_with_its_integrity_and_compressed_twins_and_screenshots_are_not() {
        let dir = site(&[
            ("pkg/app.1.js", "alert(1)"),
            ("pkg/app.1.js.br", "x"),
            ("pkg/app.d.ts", "x"),
            ("icons/a.png", ""),
            ("screenshots/home.png", "x"),
        ]);
        let urls: Vec<_> = precache(&dir)
            .assets
            .into_iter()
            .map(|a| (a.url, a.integrity))
            .collect();
        assert_eq!(
            urls,
            [
                // sha384 of the empty string and of "alert(1)".
                (
                    "/icons/a.png".to_owned(),
                    "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
                        .to_owned()
                ),
                (
                    "/pkg/app.1.js".to_owned(),
                    precache(&dir).assets[1].integrity.clone()
                ),
            ]
        );
    }

    #[test]
    fn the_offline_page_is_always_precached() {
        let dir = site(&[("a.txt", "a")]);
        assert_eq!(precache(&dir).pages, ["/", "/contacts", "/offline"]);
    }

    #[test]
    fn the_version_changes_when_a_file_changes_and_only_then() {
        let before = precache(&site(&[("a.txt", "a")])).version;
        assert_eq!(precache(&site(&[("a.txt", "a")])).version, before);
        assert_ne!(precache(&site(&[("a.txt", "b")])).version, before);
        let other_build = Precache::from_site(
            site(&[("a.txt", "a")]).path(),
            &["/"],
            "/offline",
            "build-2",
        )
        .expect("precache");
        assert_ne!(other_build.version, before);
    }

    #[test]
    fn the_worker_script_starts_with_the_manifest() {
        let script = precache(&site(&[("a.txt", "a")])).worker_script();
        assert!(script.starts_with("const PRECACHE = {\"version\":"));
        assert!(script.contains("addEventListener('fetch'"));
    }

    #[test]
    fn a_missing_site_directory_is_an_error_that_names_it() {
        let error = Precache::from_site(Path::new("/no/such/site"), &[], "/offline", "b")
            .expect_err("missing");
        assert!(error.to_string().contains("/no/such/site"));
    }

    #[test]
    fn the_app_s_code_and_the_pages_that_need_it_are_stored_second_the_webassembly_first() {
        let dir = site(&[
            ("icons/a.png", "icon"),
            ("pkg/app.1.js", "glue"),
            ("pkg/app.1.wasm", "code"),
            ("pkg/app.1.css", "css"),
            ("checklist.js", "plain"),
            ("hydrate.js", "loads the app's code"),
        ]);
        let precache = precache(&dir).later(&["/report"]);
        assert_eq!(
            precache.later,
            [
                "/pkg/app.1.wasm",
                "/hydrate.js",
                "/pkg/app.1.js",
                "/report",
                "/icons/a.png"
            ]
        );
    }
}
