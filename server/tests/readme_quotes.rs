//! The README quotes what the app says; every quoted sentence must be one the code shows, so the
//! README cannot promise words the pages no longer use. And every file the README and
//! ARCHITECTURE.md name exists, so the map cannot point at files that have moved.

use std::path::{Path, PathBuf};

/// Where on-screen words are written: the pages, the guidance, the domain's words, the server's
/// answers and the plain scripts.
const SOURCES: [&str; 6] = [
    "app/src",
    "guidance/src",
    "incident-report/src",
    "server/src",
    "forwarding/src",
    "public",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate is in the workspace")
        .to_owned()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "js") {
            out.push(path);
        }
    }
}

/// Runs of white space as one space, so line breaks in either text do not matter.
fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// All source text, with Rust's `\` line continuations joined as the compiler joins them.
fn source_text() -> String {
    let mut paths = Vec::new();
    for dir in SOURCES {
        files(&workspace().join(dir), &mut paths);
    }
    let mut text = String::new();
    for path in paths {
        let source = std::fs::read_to_string(&path).expect("readable source");
        let mut lines = source.lines().peekable();
        while let Some(line) = lines.next() {
            if let Some(joined) = line.strip_suffix('\\') {
                text.push_str(joined);
                if let Some(next) = lines.peek_mut() {
                    *next = next.trim_start();
                }
            } else {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    folded(&text)
}

/// The README's prose quotes of eight characters or more (code blocks and `code` left out).
fn readme_quotes() -> Vec<String> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let prose: String = readme.split("```").step_by(2).collect::<Vec<_>>().join(" ");
    let prose = folded(&prose);
    prose
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|quote| quote.chars().count() >= 8 && !quote.contains('`'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_sentence_the_readme_quotes_is_one_the_app_shows() {
    let source = source_text();
    let quotes = readme_quotes();
    assert!(
        quotes.len() >= 20,
        "the README's quotes were found: {quotes:?}"
    );
    // "…" stands for a deployment's words or a value: each part around it must be there.
    let missing: Vec<&String> = quotes
        .iter()
        .filter(|quote| {
            quote
                .split('…')
                .map(str::trim)
                .filter(|part| part.chars().count() >= 4)
                .any(|part| !source.contains(part))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "quoted in the README, shown nowhere: {missing:?}"
    );
}

/// Every file a document names in `code`, by its extension: `sign_in.rs`, `scripts/build.sh`.
fn named_files(document: &str) -> Vec<String> {
    const KINDS: [&str; 7] = [".rs", ".mjs", ".js", ".sh", ".toml", ".json", ".md"];
    let text = std::fs::read_to_string(workspace().join(document)).expect("the document");
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| !name.contains(char::is_whitespace) && !name.starts_with("../"))
        .filter(|name| !name.starts_with('/') && KINDS.iter().any(|kind| name.ends_with(kind)))
        .map(|name| name.trim_start_matches("./").to_owned())
        .collect()
}

/// Every file in the workspace, as a path from its root (build output and packages left out).
fn workspace_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !["target", "node_modules", ".git"].contains(&name.as_str()) {
                workspace_files(&path, out);
            }
        } else if let Ok(relative) = path.strip_prefix(workspace()) {
            out.push(relative.to_string_lossy().into_owned());
        }
    }
}

#[test]
fn every_file_the_docs_name_exists() {
    let mut files = Vec::new();
    workspace_files(&workspace(), &mut files);
    for document in ["ARCHITECTURE.md", "README.md"] {
        let named = named_files(document);
        assert!(
            named.len() >= 10,
            "{document}'s file names were found: {named:?}"
        );
        let missing: Vec<&String> = named
            .iter()
            .filter(|name| {
                !files
                    .iter()
                    .any(|file| file == *name || file.ends_with(&format!("/{name}")))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{document} names files that do not exist: {missing:?}"
        );
    }
}

#[test]
fn every_setting_of_lost_device_help_is_in_the_readme_with_its_variable() {
    use clap::CommandFactory as _;
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let command = server::config::Config::command();
    let settings: Vec<(String, Option<String>)> = command
        .get_arguments()
        .filter_map(|argument| {
            let flag = argument.get_long()?;
            if matches!(flag, "help" | "version") {
                return None;
            }
            let variable = argument
                .get_env()
                .map(|name| name.to_string_lossy().into_owned());
            Some((format!("--{flag}"), variable))
        })
        .collect();
    assert!(settings.len() >= 20, "the settings were read: {settings:?}");
    let missing: Vec<&(String, Option<String>)> = settings
        .iter()
        .filter(|(flag, variable)| {
            // A flag must not pass as a prefix of a longer one (`--smtp` in `--smtp-host`).
            let named = readme.match_indices(flag.as_str()).any(|(at, _)| {
                !readme[at + flag.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
            });
            // The README gives the rule ("Each flag also has an environment variable"): a
            // variable named by it need not be listed, any other must be.
            let by_rule = format!(
                "LOST_DEVICE_{}",
                flag.trim_start_matches("--")
                    .replace('-', "_")
                    .to_uppercase()
            );
            !named
                || variable
                    .as_ref()
                    .is_some_and(|v| *v != by_rule && !readme.contains(v.as_str()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "in `lost-device --help` but not in the README (flag and variable): {missing:?}"
    );
}
