//! Writing outputs without ever losing a file: report folders and single files.
//!
//! - A report folder is written into a staging folder beside it and swapped into place
//!   by one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`), so that at every instant
//!   either the earlier or the new complete report is in place. The folder must be new,
//!   empty, or an earlier invitestat report: every report holds a [`MARKER`] file
//!   listing the files invitestat wrote with their SHA-256, and a folder with other
//!   files, or files changed since, is replaced only with `force`. The working
//!   directory, a folder holding it, and a folder holding an input are refused.
//! - A single file is written to a temporary file in the same folder and renamed into
//!   place; an existing file is replaced only when invitestat recognises it as its own
//!   (a count table), or with `force`; an input is never replaced.
//! - Staging folders and temporary files are removed on every error path; a process
//!   interrupted by a signal removes them through [`abandon_pending`], which the binary
//!   calls from its signal handler. One killed outright (SIGKILL) leaves a staging
//!   folder named after its process id, which the next write to the same place removes.
//!
//! Messages name the path the user gave, not the staging path.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The file in every report folder that lists what invitestat wrote there.
pub const MARKER: &str = ".invitestat-report";

/// The marker's format tag.
const MARKER_FORMAT: &str = "invitestat-report/1";

/// A write that was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Writing there could lose a file invitestat did not write.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The path given.
        path: PathBuf,
        /// Why, and what to do instead.
        reason: String,
    },
    /// A file or folder could not be written.
    #[error("cannot write {}: {cause}", path.display())]
    Io {
        /// The path as the user will see it (inside the target folder).
        path: PathBuf,
        /// What failed.
        cause: std::io::Error,
    },
    /// The process is being interrupted: nothing more is written.
    #[error("interrupted: {} was not written", path.display())]
    Interrupted {
        /// The path.
        path: PathBuf,
    },
}

/// Staging folders and temporary files not yet committed, removed if the process is
/// interrupted. Every change to a staging path happens while this lock is held, so an
/// interruption never races a write.
struct Pending {
    paths: Vec<PathBuf>,
    aborting: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending { paths: Vec::new(), aborting: false });

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every staging folder and temporary file not yet committed and stops further
/// writes; for a signal handler, before the process exits. A commit in progress is
/// finished first (it holds the same lock), so the earlier or the new report is whole.
pub fn abandon_pending() {
    let mut p = pending();
    p.aborting = true;
    for path in p.paths.drain(..) {
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io { path: path.to_path_buf(), cause }
}

fn refused(path: &Path, reason: impl Into<String>) -> OutputError {
    OutputError::Refused { path: path.to_path_buf(), reason: reason.into() }
}

/// `path` made absolute, with `.` and `..` resolved and the existing part canonical
/// (symbolic links followed).
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    // Canonicalise the longest existing prefix.
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(out)
}

/// Refuses `target` when it is the working directory or holds it, or holds (or is) one
/// of the inputs.
fn check_not_over_inputs(target: &Path, inputs: &[&Path]) -> Result<PathBuf, OutputError> {
    let abs = resolved(target).map_err(io_error(target))?;
    if abs.parent().is_none() {
        return Err(refused(
            target,
            "is the root of the file system; give a new folder for the report",
        ));
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize())
        && cwd.starts_with(&abs)
    {
        return Err(refused(
            target,
            "is the working directory or a folder holding it: writing the report there would replace everything in it; give a new folder, e.g. --out report",
        ));
    }
    for input in inputs {
        let Ok(i) = resolved(input) else { continue };
        if i.starts_with(&abs) {
            return Err(refused(
                target,
                format!(
                    "holds the input {}: writing there would replace it; give another folder",
                    input.display()
                ),
            ));
        }
    }
    Ok(abs)
}

/// The files of a report folder (relative paths, `/`-separated), with their SHA-256,
/// the marker excluded.
fn listing(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push((entry.path(), format!("{name}/")));
            } else if name != MARKER {
                let hash = if kind.is_file() {
                    crate::digest::sha256_hex(&std::fs::read(entry.path())?)
                } else {
                    "not a regular file".to_string()
                };
                out.insert(name, hash);
            }
        }
    }
    Ok(out)
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    format: String,
    files: BTreeMap<String, String>,
}

/// What is in an existing folder, as far as replacing it goes.
enum Existing {
    /// Nothing there.
    Absent,
    /// An empty folder.
    Empty,
    /// An earlier invitestat report with exactly the files it wrote.
    Report,
    /// An earlier report with files added or changed since (listed).
    Changed(Vec<String>),
    /// A folder with files and no marker.
    Foreign,
}

fn existing(dir: &Path) -> std::io::Result<Existing> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() {
        return Ok(Existing::Foreign);
    }
    if std::fs::read_dir(dir)?.next().is_none() {
        return Ok(Existing::Empty);
    }
    let Ok(text) = std::fs::read_to_string(dir.join(MARKER)) else { return Ok(Existing::Foreign) };
    let Ok(marker) = serde_json::from_str::<Marker>(&text) else { return Ok(Existing::Foreign) };
    if marker.format != MARKER_FORMAT {
        return Ok(Existing::Foreign);
    }
    let now = listing(dir)?;
    let changed: Vec<String> = now
        .iter()
        .filter(|(name, hash)| marker.files.get(*name) != Some(*hash))
        .map(|(name, _)| name.clone())
        .collect();
    Ok(if changed.is_empty() { Existing::Report } else { Existing::Changed(changed) })
}

/// The name prefix of staging folders and temporary files for `name`.
fn staging_prefix(name: &str) -> String {
    format!(".{name}.invitestat-staging-")
}

/// Removes staging folders and temporary files for `target` left by processes that no
/// longer run (killed before they could clean up).
fn remove_stale(parent: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let prefix = staging_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn staging_path(parent: &Path, name: &str) -> PathBuf {
    let n = SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    parent.join(format!("{}{}-{n}", staging_prefix(name), std::process::id()))
}

/// A report folder being written. Files go into a staging folder beside the target;
/// [`ReportDir::commit`] swaps it into place. Dropped without a commit, it removes the
/// staging folder and leaves the target as it was.
#[derive(Debug)]
pub struct ReportDir {
    target: PathBuf,
    staging: PathBuf,
    files: BTreeMap<String, String>,
    force: bool,
    done: bool,
}

impl ReportDir {
    /// Starts a report in `target` (as the user gave it). `inputs` are the files the
    /// report is made from; `force` allows replacing an earlier report whose files were
    /// changed or added to since it was written.
    ///
    /// # Errors
    /// [`OutputError::Refused`] for the working directory, a folder holding it or an
    /// input, a file, a symbolic link, a non-empty folder that is not an invitestat
    /// report, or (without `force`) a changed report; [`OutputError::Io`].
    pub fn create(target: &Path, inputs: &[&Path], force: bool) -> Result<ReportDir, OutputError> {
        let abs = check_not_over_inputs(target, inputs)?;
        let is_link = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            return Err(refused(target, "is a symbolic link; give the folder itself"));
        }
        if target.exists() && !target.is_dir() {
            return Err(refused(target, "is a file; give a folder for the report"));
        }
        match existing(target).map_err(io_error(target))? {
            Existing::Absent | Existing::Empty | Existing::Report => {}
            Existing::Changed(files) if !force => {
                return Err(refused(
                    target,
                    format!(
                        "is an earlier invitestat report, but {} {} added or changed since it was written; move them, or pass --force to replace the report with them",
                        crate::format::name_list(&files, 5),
                        if files.len() == 1 { "was" } else { "were" }
                    ),
                ));
            }
            Existing::Changed(_) => {}
            Existing::Foreign => {
                return Err(refused(
                    target,
                    format!(
                        "is a folder that holds files and is not an invitestat report (no {MARKER} file); invitestat writes only to a new or empty folder or over an earlier report: give another folder"
                    ),
                ));
            }
        }
        let parent = abs.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        std::fs::create_dir_all(&parent).map_err(io_error(target))?;
        let name =
            abs.file_name().map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
        remove_stale(&parent, &name);
        let staging = staging_path(&parent, &name);
        {
            let mut p = pending();
            if p.aborting {
                return Err(OutputError::Interrupted { path: target.to_path_buf() });
            }
            p.paths.push(staging.clone());
            std::fs::create_dir(&staging).map_err(io_error(target))?;
        }
        Ok(ReportDir {
            target: target.to_path_buf(),
            staging,
            files: BTreeMap::new(),
            force,
            done: false,
        })
    }

    /// The path the user will see for a file of the report.
    fn shown(&self, name: &str) -> PathBuf {
        self.target.join(name)
    }

    /// Runs `f` on the staged path of `name` (its folder created), under the lock that
    /// an interruption takes, then records the file's digest.
    ///
    /// # Errors
    /// [`OutputError`] naming the file as it will be in the report.
    pub fn write_with<E: std::fmt::Display>(
        &mut self,
        name: &str,
        f: impl FnOnce(&Path) -> Result<(), E>,
    ) -> Result<(), OutputError> {
        let shown = self.shown(name);
        let path = self.staging.join(name);
        let p = pending();
        if p.aborting {
            return Err(OutputError::Interrupted { path: shown });
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(&shown))?;
        }
        f(&path).map_err(|e| OutputError::Io {
            path: shown.clone(),
            cause: std::io::Error::other(e.to_string()),
        })?;
        drop(p);
        let bytes = std::fs::read(&path).map_err(io_error(&shown))?;
        self.files.insert(name.to_string(), crate::digest::sha256_hex(&bytes));
        Ok(())
    }

    /// Writes one file of the report.
    ///
    /// # Errors
    /// [`OutputError`] naming the file as it will be in the report.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let shown = self.shown(name);
        let path = self.staging.join(name);
        let p = pending();
        if p.aborting {
            return Err(OutputError::Interrupted { path: shown });
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(&shown))?;
        }
        std::fs::write(&path, bytes).map_err(io_error(&shown))?;
        drop(p);
        self.files.insert(name.to_string(), crate::digest::sha256_hex(bytes));
        Ok(())
    }

    /// The files written so far, relative to the report folder.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Writes the marker and swaps the staged report into place; the earlier report, if
    /// any, is removed after the swap.
    ///
    /// # Errors
    /// [`OutputError`]; the earlier report is then still in place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let marker = Marker { format: MARKER_FORMAT.into(), files: self.files.clone() };
        let text = serde_json::to_string_pretty(&marker).unwrap_or_default() + "\n";
        self.write(MARKER, text.as_bytes())?;
        self.files.remove(MARKER);
        let mut p = pending();
        if p.aborting {
            return Err(OutputError::Interrupted { path: self.target.clone() });
        }
        // Checked again: the folder may have changed while the report was computed.
        match existing(&self.target).map_err(io_error(&self.target))? {
            Existing::Absent => {
                std::fs::rename(&self.staging, &self.target).map_err(io_error(&self.target))?;
            }
            Existing::Foreign => {
                return Err(refused(
                    &self.target,
                    "was filled with other files while the report was written; nothing was replaced",
                ));
            }
            Existing::Changed(_) if !self.force => {
                return Err(refused(
                    &self.target,
                    "was changed while the report was written; nothing was replaced",
                ));
            }
            Existing::Empty | Existing::Report | Existing::Changed(_) => {
                swap(&self.staging, &self.target).map_err(io_error(&self.target))?;
                // The staging path now holds the earlier report.
                let _ = std::fs::remove_dir_all(&self.staging);
            }
        }
        p.paths.retain(|x| *x != self.staging);
        self.done = true;
        Ok(())
    }
}

impl Drop for ReportDir {
    fn drop(&mut self) {
        if !self.done {
            let mut p = pending();
            let _ = std::fs::remove_dir_all(&self.staging);
            p.paths.retain(|x| *x != self.staging);
        }
    }
}

/// Exchanges two folders atomically where the system allows it (Linux), otherwise in
/// two renames (a moment without either).
fn swap(staging: &Path, target: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut aside = staging.as_os_str().to_owned();
    aside.push("-old");
    let aside = PathBuf::from(aside);
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    std::fs::rename(&aside, staging)
}

/// Whether a single output file may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only a file that does not exist yet.
    Never,
    /// A file whose first bytes are this (a file invitestat wrote, e.g. a count table's
    /// format tag).
    IfStartsWith(&'static str),
    /// Any file except an input (the user passed `--force`).
    Force,
}

/// Writes a single output file: to a temporary file in the same folder, renamed into
/// place when complete. `write` gets a buffered writer.
///
/// # Errors
/// [`OutputError::Refused`] for an input, a folder, a symbolic link, or an existing
/// file that `replace` does not allow; [`OutputError::Io`] (the temporary file is
/// removed, and the target is as it was).
pub fn write_file(
    target: &Path,
    inputs: &[&Path],
    replace: Replace,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let abs = resolved(target).map_err(io_error(target))?;
    for input in inputs {
        if resolved(input).is_ok_and(|i| i == abs) {
            return Err(refused(target, "is an input of this command; give another file to write"));
        }
    }
    let meta = std::fs::symlink_metadata(target).ok();
    if let Some(m) = &meta {
        if m.file_type().is_symlink() {
            return Err(refused(target, "is a symbolic link; give the file itself"));
        }
        if m.is_dir() {
            return Err(refused(target, "is a folder; give a file name"));
        }
        let allowed = match replace {
            Replace::Never => false,
            Replace::Force => true,
            Replace::IfStartsWith(tag) => {
                let mut head = vec![0u8; 256];
                let n = std::fs::File::open(target)
                    .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                    .unwrap_or(0);
                String::from_utf8_lossy(&head[..n])
                    .split_whitespace()
                    .collect::<String>()
                    .contains(tag)
            }
        };
        if !allowed {
            return Err(refused(
                target,
                "exists and invitestat did not write it; give a new file name, or pass --force to replace it",
            ));
        }
    }
    let parent = abs.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name =
        abs.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    std::fs::create_dir_all(&parent).map_err(io_error(target))?;
    remove_stale(&parent, &name);
    let tmp = staging_path(&parent, &name);
    {
        let mut p = pending();
        if p.aborting {
            return Err(OutputError::Interrupted { path: target.to_path_buf() });
        }
        p.paths.push(tmp.clone());
    }
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    let mut p = pending();
    let outcome = match result {
        Err(cause) => Err(OutputError::Io { path: target.to_path_buf(), cause }),
        Ok(()) if p.aborting => Err(OutputError::Interrupted { path: target.to_path_buf() }),
        Ok(()) if meta.is_some() => std::fs::rename(&tmp, target).map_err(io_error(target)),
        // Not there before: never replace a file that appeared meanwhile (a hard link
        // fails if the name exists; file systems without links get a rename).
        Ok(()) => match std::fs::hard_link(&tmp, target) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !target.exists() => {
                std::fs::rename(&tmp, target).map_err(io_error(target))
            }
            other => other.map_err(io_error(target)),
        },
    };
    let _ = std::fs::remove_file(&tmp);
    p.paths.retain(|x| *x != tmp);
    outcome
}
