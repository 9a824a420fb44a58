//! Task files that the static file server would hand out. A task file
//! holds its gold answers, and a gold file often sits beside it
//! (`gold.jsonl`): if either lies inside `--www`, anyone can download the
//! answers. Blind mode refuses to start; open mode (whose page gets the
//! answers anyway) warns.

use super::GoldMode;
use std::path::{Path, PathBuf};

/// Checks every `--task` file. Returns the warnings to print (open mode),
/// or the message to stop with (blind mode).
pub fn check(tasks: &[PathBuf], www: &Path, mode: GoldMode) -> Result<Vec<String>, String> {
    let Ok(root) = www.canonicalize() else {
        return Ok(Vec::new()); // no folder, nothing served
    };
    let links = symlinks_in(&root);
    let mut warnings = Vec::new();
    for task in tasks {
        let Ok(file) = task.canonicalize() else {
            continue; // loading it reports the error
        };
        let mut served = Vec::new();
        if let Some(url) = served_at(&file, &root, &links) {
            served.push(url);
        }
        for gold in gold_beside(&file) {
            if let Some(url) = served_at(&gold, &root, &links) {
                served.push(url);
            }
        }
        if served.is_empty() {
            continue;
        }
        let urls = served.join(", ");
        let what = if served.len() == 1 {
            "this file is"
        } else {
            "these files are"
        };
        match mode {
            GoldMode::Blind => {
                return Err(format!(
                    "--task {}: in blind mode the gold answers must stay on the server, but the \
                     --www folder {} serves them to anyone: {what} downloadable at {urls}. Move the \
                     task file (and any gold file beside it) out of {}, or serve another folder \
                     with --www.",
                    task.display(),
                    www.display(),
                    www.display()
                ))
            }
            GoldMode::Open => warnings.push(format!(
                "--task {}: the --www folder {} serves its gold answers at {urls} (the open-mode \
                 page gets them anyway; blind mode refuses to start like this)",
                task.display(),
                www.display()
            )),
        }
    }
    Ok(warnings)
}

/// Files beside `file` whose name says gold (`gold.jsonl`, `task.gold.json`).
fn gold_beside(file: &Path) -> Vec<PathBuf> {
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .to_lowercase()
                .contains("gold")
        })
        .filter_map(|e| e.path().canonicalize().ok())
        .filter(|p| p.is_file() && p != file)
        .collect();
    out.sort();
    out
}

/// The URL path at which the static file server hands out `file`, if any:
/// inside the folder, or behind a symbolic link in it.
fn served_at(file: &Path, root: &Path, links: &[(PathBuf, PathBuf)]) -> Option<String> {
    if let Ok(rest) = file.strip_prefix(root) {
        return Some(url(Path::new(""), rest));
    }
    links
        .iter()
        .find_map(|(at, target)| file.strip_prefix(target).ok().map(|rest| url(at, rest)))
}

fn url(at: &Path, rest: &Path) -> String {
    let parts: Vec<String> = at
        .components()
        .chain(rest.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("/{}", parts.join("/"))
}

/// The symbolic links under `root` (not followed), as (path relative to
/// the root, canonical target). Bounded: a huge folder is not walked whole.
fn symlinks_in(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    const MAX_ENTRIES: usize = 20_000;
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    let mut seen = 0;
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            seen += 1;
            if seen > MAX_ENTRIES {
                return out;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = rel.join(entry.file_name());
            if kind.is_symlink() {
                if let Ok(target) = entry.path().canonicalize() {
                    out.push((path, target));
                }
            } else if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    out
}
