//! The README quotes what the app says; every quoted sentence must be one the code shows, so the
//! README cannot promise words the pages no longer use.

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
