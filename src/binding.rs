//! The napi glue: the only Rust that knows Node-API.
//!
//! Calls cross the boundary at the end of a test, never per async event, so JSON strings are the interface:
//! one `JSON.stringify` on the JS side and one serde parse here, with the shape checked by serde. No state is kept
//! here: each call gets everything it needs, which keeps Node envs sharing a process (vitest's `threads` pool)
//! apart by construction. Every export catches panics, so a bug here becomes a JS error, never a dead worker.
#![allow(
    clippy::needless_pass_by_value,
    reason = "napi-rs hands a #[napi] function its JS strings as owned Strings: it has no &str argument"
)]

use crate::leak_group::summarize_groups;
use crate::leak_report::{analyze_leaks, Leak, LeakCheckInput};
use crate::lone_surrogates::replace_lone_surrogate_escapes;
use crate::report_text::{render_report, ReportTextInput};
use crate::retainer_path_text::TracedPath;
use crate::uv_handles::{walk_loop, UvHandleInfo};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

/// The one way JSON from JS is read: any string JS can hold crosses (a lone surrogate arrives as U+FFFD, see
/// `lone_surrogates`), and a wrong shape is an `InvalidArg` naming `what`.
fn parse_input<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T> {
    serde_json::from_str(&replace_lone_surrogate_escapes(json)).map_err(|error| {
        Error::new(
            Status::InvalidArg,
            format!("leakwatch: {what} is not valid: {error}"),
        )
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|error| Error::new(Status::GenericFailure, error.to_string()))
}

fn loop_handles(env: &Env) -> Result<Vec<UvHandleInfo>> {
    let event_loop = env.get_uv_event_loop()?;
    // SAFETY: napi gives this env's own loop, and a napi call runs on that env's JS thread, the loop's thread.
    unsafe { walk_loop(event_loop.cast()) }
        .map_err(|error| Error::new(Status::GenericFailure, error.to_string()))
}

/// The libuv handles of this thread's event loop, as a JSON array of
/// `{ handleType, hasRef, isActive, isClosing, fd?, localAddress?, peerAddress?, pid?, path?, signal? }`.
#[napi(catch_unwind)]
pub fn list_loop_handles(env: Env) -> Result<String> {
    to_json(&loop_handles(&env)?)
}

/// Turns the resources a scope left open (`LeakCheckInput` as JSON) into leaks (a JSON array), describing each
/// from libuv and locating its creation site in user code.
#[napi(catch_unwind)]
pub fn analyze_open_resources(env: Env, input_json: String) -> Result<String> {
    let input: LeakCheckInput = parse_input(&input_json, "the leak check input")?;
    // Without libuv (an unusual embedder) the leaks are still reported, described from what JS knew.
    let handles = loop_handles(&env).unwrap_or_default();
    to_json(&analyze_leaks(&input, &handles))
}

/// Groups leaks (a JSON array, as `analyzeOpenResources` gives them) by kind and creation site: a JSON array of
/// `{ count, description, members }`, each group in the order of its first member, `members` the positions of its
/// leaks in the array given and `description` its members in words as one (a range where their values differ).
#[napi(catch_unwind)]
pub fn group_leaks(leaks_json: String) -> Result<String> {
    let leaks: Vec<Leak> = parse_input(&leaks_json, "the leaks to group")?;
    to_json(&summarize_groups(&leaks))
}

/// Renders the text of a `LeakError` from `{ subject, leaks, scopeHint?, attributionUncertain? }` as JSON.
#[napi(catch_unwind)]
pub fn render_leak_report(input_json: String) -> Result<String> {
    let input: ReportTextInput = parse_input(&input_json, "the report input")?;
    Ok(render_report(&input))
}

/// Renders a retainer path as a leak trace: `pathJson` is a path of `analyzeHeapSnapshotFile`'s `matches[].paths`,
/// each node with its sizes in words added as `sizes` (`812 B self, retains 3.10 MB`).
#[napi(catch_unwind)]
pub fn render_retainer_path(path_json: String) -> Result<String> {
    let path: TracedPath = parse_input(&path_json, "the retainer path")?;
    Ok(crate::retainer_path_text::render_retainer_path(&path))
}

// ── Heap snapshots ──────────────────────────────────────────────────────────────────────────────────────────────
// The analysis runs on the calling thread (seconds for a large snapshot): the CLI and a failed retention check can
// wait, and nothing else in a test worker runs meanwhile.

fn heap_options(options_json: &str) -> Result<crate::heap::AnalyzeOptions> {
    if options_json.trim().is_empty() {
        return Ok(crate::heap::AnalyzeOptions::default());
    }
    parse_input(options_json, "the heap analysis options")
}

fn snapshot_error(path: &str, error: crate::heap::snapshot::SnapshotError) -> Error {
    use crate::heap::snapshot::SnapshotError;
    match error {
        SnapshotError::Io(error) => Error::new(
            Status::GenericFailure,
            format!("leakwatch: cannot read {path}: {error}"),
        ),
        SnapshotError::Parse { .. } => Error::new(
            Status::InvalidArg,
            format!("leakwatch: {path} is not a valid heap snapshot: {error}"),
        ),
    }
}

fn read_heap_graph(path: &str) -> Result<crate::heap::graph::HeapGraph> {
    let file = std::fs::File::open(path).map_err(|error| {
        Error::new(
            Status::GenericFailure,
            format!("leakwatch: cannot read {path}: {error}"),
        )
    })?;
    // A pipe or a device has no length to check the header against: it is read as a stream of unknown size.
    let length = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len());
    let snapshot = crate::heap::snapshot::parse_reader(file, length)
        .map_err(|error| snapshot_error(path, error))?;
    Ok(crate::heap::graph::HeapGraph::new(snapshot))
}

/// Analyses a `.heapsnapshot` file. `optionsJson`: `{ find?: string[], ids?: number[], maxPaths?: number (3),
/// maxReferences?: number (0), top?: number (20), retainedSizes?: boolean (true), ignoreReferences?: [{ holder:
/// string, edge: string, holderHas?: string }] ([]), heldByOpen?: number[] ([]) }` (`""` for defaults); the path
/// search does not follow a reference that matches an `ignoreReferences` pattern (`*` for any run of characters),
/// nor any reference of the objects whose ids `heldByOpen` lists, so a match reachable only through them has no path
/// (a module's scope they alone lead to still holds its variables). Returns JSON:
/// `{ nodeCount, edgeCount, totalSize, reachableSize, constructors: [{ name, count, selfSize, maxRetainedSize,
/// largest: [{ index, id, retainedSize }] }], matches: [{ query, count, reachableCount, paths: [{ root, steps:
/// [{ holder, edgeType, edgeName, edgeLabel, isInternal }], target }], unreachable, references?: [{ edgeType,
/// edgeName, edgeLabel, isInternal, isWeak, target }], referenceCount? }] }`, where a node is `{ index, id, type,
/// name, label, selfSize, retainedSize }`; `references` and `referenceCount` only for an id that found its object,
/// with `maxReferences` above 0. A corrupt file throws with the byte offset.
#[napi(catch_unwind)]
pub fn analyze_heap_snapshot_file(path: String, options_json: String) -> Result<String> {
    let options = heap_options(&options_json)?;
    let graph = read_heap_graph(&path)?;
    to_json(&crate::heap::analyze(&graph, &options))
}

/// Compares two `.heapsnapshot` files by constructor. Returns JSON: `{ nodeCountBefore, nodeCountAfter,
/// sizeBefore, sizeAfter, grown: [{ name, countBefore, countAfter, sizeBefore, sizeAfter, countDelta, sizeDelta,
/// newCount, newSize }] }`, the constructors that grew, largest size growth first.
#[napi(catch_unwind)]
pub fn diff_heap_snapshot_files(before_path: String, after_path: String) -> Result<String> {
    let before = read_heap_graph(&before_path)?;
    let after = read_heap_graph(&after_path)?;
    to_json(&crate::heap::diff::diff_snapshots(&before, &after))
}

/// A heap snapshot fed in chunks (from `v8.getHeapSnapshot()` or a file stream), never held whole as text.
#[napi]
pub struct HeapSnapshotParser {
    parser: Option<crate::heap::snapshot::SnapshotParser>,
    /// What error messages call the input: a file path, or "the heap snapshot".
    name: String,
}

fn parser_finished() -> Error {
    Error::new(
        Status::InvalidArg,
        "leakwatch: this HeapSnapshotParser has finished (or failed); make a new one",
    )
}

#[napi]
impl HeapSnapshotParser {
    /// `name` is what error messages call the input (a file path); default "the heap snapshot". `totalBytes`: the
    /// input's whole size, when known (a file's length): the header's counts are checked against it, so a corrupt
    /// count is an error instead of a huge allocation; without it, memory is reserved as the chunks arrive.
    #[napi(constructor)]
    pub fn new(name: Option<String>, total_bytes: Option<f64>) -> Result<Self> {
        let mut parser = crate::heap::snapshot::SnapshotParser::new();
        if let Some(total) = total_bytes {
            if !(total >= 0.0 && total.fract() == 0.0) {
                return Err(Error::new(
                    Status::InvalidArg,
                    format!("leakwatch: HeapSnapshotParser's totalBytes must be a whole number of bytes, not {total}"),
                ));
            }
            // Whole and non-negative: exact up to 2^53, the most a JS number holds exactly.
            parser = parser.with_total_bytes(total as u64);
        }
        Ok(Self {
            parser: Some(parser),
            name: name.unwrap_or_else(|| "the heap snapshot".to_owned()),
        })
    }

    fn parser(&mut self) -> Result<&mut crate::heap::snapshot::SnapshotParser> {
        self.parser.as_mut().ok_or_else(parser_finished)
    }

    /// Feeds the next chunk. Throws (with the byte offset) as soon as the bytes stop being a heap snapshot; the
    /// parser is then unusable.
    #[napi(catch_unwind)]
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let result = self.parser()?.push(chunk);
        result.map_err(|error| {
            self.parser = None;
            snapshot_error(&self.name, error)
        })
    }

    /// Reads the file at `path` to its end through this parser, 16 MB at a time, the next chunk read on a thread of
    /// its own while the last is parsed, into buffers given back before this returns. `onProgress`, when given, is
    /// called with the bytes read so far after each chunk; if it throws, reading stops there and this throws its
    /// error. Throws (with the byte offset) as soon as the bytes stop being a heap snapshot; the parser is then
    /// unusable.
    #[napi(catch_unwind)]
    pub fn read_file(
        &mut self,
        path: String,
        on_progress: Option<napi::bindgen_prelude::Function<f64, ()>>,
    ) -> Result<()> {
        let file = std::fs::File::open(&path).map_err(|error| {
            Error::new(
                Status::GenericFailure,
                format!("leakwatch: cannot read {path}: {error}"),
            )
        })?;
        let mut thrown = None;
        let result = self.parser()?.read_from(file, |read| {
            let Some(on_progress) = &on_progress else {
                return true;
            };
            #[expect(
                clippy::cast_precision_loss,
                reason = "exact up to 2^53 bytes (8 PiB), far past any snapshot"
            )]
            let read = read as f64;
            match on_progress.call(read) {
                Ok(()) => true,
                Err(error) => {
                    thrown = Some(error);
                    false
                }
            }
        });
        if let Err(error) = result {
            self.parser = None;
            return Err(snapshot_error(&self.name, error));
        }
        thrown.map_or(Ok(()), Err)
    }

    /// Bytes fed so far.
    #[napi(getter, catch_unwind)]
    pub fn bytes_read(&mut self) -> Result<f64> {
        #[expect(
            clippy::cast_precision_loss,
            reason = "exact up to 2^53 bytes (8 PiB), far past any snapshot"
        )]
        let bytes = self.parser()?.bytes_read() as f64;
        Ok(bytes)
    }

    /// Ends the input and analyses it: same options and result as `analyzeHeapSnapshotFile`.
    #[napi(catch_unwind)]
    pub fn finish(&mut self, options_json: String) -> Result<String> {
        let options = heap_options(&options_json)?;
        let parser = self.parser.take().ok_or_else(parser_finished)?;
        let snapshot = parser
            .finish()
            .map_err(|error| snapshot_error(&self.name, error))?;
        let graph = crate::heap::graph::HeapGraph::new(snapshot);
        to_json(&crate::heap::analyze(&graph, &options))
    }
}

/// Tunes this process's allocator for analysing large snapshots (big arrays are given back to the system when
/// dropped). Process-wide: for leakwatch's CLI, never for a test run.
#[napi(catch_unwind)]
pub fn tune_allocator_for_large_snapshots() {
    crate::heap::memory::configure_allocator();
}
