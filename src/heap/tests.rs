//! Tests on real snapshots: small Node programs build known object graphs and write a snapshot, once per test run.

use super::graph::HeapGraph;
use super::reference_patterns::ReferencePattern;
use super::snapshot::tests::{parse, Reading};
use super::snapshot::{parse_bytes, parse_reader, HeapSnapshot, SnapshotError, SnapshotParser};
use super::{analyze, diff, AnalyzeOptions};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// Runs `script` in Node, which must write a snapshot to the path in `process.argv[1]`; returns the file's bytes.
fn snapshot_of(name: &str, script: &str) -> Vec<u8> {
    // A folder per snapshot: tests run on several threads, and a shared folder could be removed (by the last test
    // out, as it seemed) while another test's node was about to write into it.
    let dir = std::env::temp_dir().join(format!(
        "leakwatch-heap-tests-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join(format!("{name}.heapsnapshot"));
    let status = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&path)
        .status()
        .expect("node runs (the heap tests need Node on PATH)");
    assert!(status.success(), "the snapshot script failed");
    let bytes = std::fs::read(&path).expect("the snapshot was written");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    bytes
}

// Built inside a function and written from a timer, so nothing is held by the stack when the snapshot is taken;
// the WeakRef is deref'd in the snapshot's own job, as `watch()` would.
const APP_SCRIPT: &str = r"
class App { constructor() { this.server = { routes: new Array(100).fill('r') } } }
class Lonely {}
function setUp() {
  globalThis.keep = [new App()];
  const registry = new Map();
  registry.set('main', new Lonely());
  globalThis.registry = registry;
  function makeHandler() { const captured = new Lonely(); return function onRequest() { return captured } }
  globalThis.handler = makeHandler();
  globalThis.ref = new WeakRef(new App());
}
setUp();
setTimeout(() => {
  globalThis.ref.deref();
  require('v8').writeHeapSnapshot(process.argv[1]);
}, 10);
";

fn app_snapshot() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| snapshot_of("app", APP_SCRIPT))
}

fn app_graph() -> HeapGraph {
    HeapGraph::new(parse_bytes(app_snapshot()).expect("the snapshot parses"))
}

fn find(graph: &HeapGraph, name: &str) -> super::HeapAnalysis {
    let options = AnalyzeOptions {
        find: vec![name.to_owned()],
        max_paths: 10,
        ..AnalyzeOptions::default()
    };
    analyze(graph, &options)
}

#[test]
fn parses_a_real_snapshot_into_columns() {
    let snapshot = parse_bytes(app_snapshot()).expect("parses");
    assert!(snapshot.node_count() > 1000);
    assert_eq!(snapshot.node_id.len(), snapshot.node_count());
    assert_eq!(snapshot.edge_to.len(), snapshot.edge_count());
    assert_eq!(
        snapshot.node_type_names[snapshot.node_type[0] as usize],
        "synthetic"
    );
    assert!(snapshot.strings.len() > 100);
}

#[test]
fn chunk_boundaries_anywhere_give_the_same_result() {
    let bytes = app_snapshot();
    let whole = parse_bytes(bytes).expect("parses");
    for chunk_size in [1usize, 7, 4096, 65_537] {
        // One byte at a time is slow on the whole file: a 1-byte chunking of the first 200 KB, then big chunks.
        let mut parser = SnapshotParser::new();
        let split = if chunk_size == 1 {
            200_000.min(bytes.len())
        } else {
            bytes.len()
        };
        for chunk in bytes[..split].chunks(chunk_size) {
            parser.push(chunk).expect("chunk parses");
        }
        parser.push(&bytes[split..]).expect("rest parses");
        let chunked = parser.finish().expect("finishes");
        assert_eq!(chunked.node_id, whole.node_id);
        assert_eq!(chunked.edge_to, whole.edge_to);
        assert_eq!(chunked.strings.len(), whole.strings.len());
    }
    let from_reader = parse_reader(bytes, None).expect("reads");
    assert_eq!(from_reader.node_name, whole.node_name);
}

#[test]
fn finds_the_app_through_the_keep_array() {
    let graph = app_graph();
    let analysis = find(&graph, "App");
    let found = &analysis.matches[0];
    assert_eq!(found.count, 2, "the kept App and the WeakRef's App");
    assert_eq!(
        found.reachable_count, 1,
        "the WeakRef's App is held only by weak_refs_keep_during_job"
    );
    let path = &found.paths[0];
    assert_eq!(path.target.name, "App");
    assert_eq!(path.target.label, "App instance");
    let steps: Vec<(&str, &str)> = path
        .steps
        .iter()
        .map(|step| (step.edge_type.as_str(), step.edge_name.as_str()))
        .collect();
    assert_eq!(steps, [("property", "keep"), ("element", "0")], "{path:#?}");
    assert_eq!(path.root, "global object");
    assert_eq!(path.steps[1].edge_label, "Array[0]");
    let retained = path.target.retained_size.expect("reachable");
    assert!(retained >= path.target.self_size);
    assert!(
        retained > 100 * 8,
        "the App retains its routes array: {retained}"
    );
}

#[test]
fn names_map_entries_and_closure_variables() {
    let graph = app_graph();
    let analysis = find(&graph, "Lonely");
    let labels: Vec<Vec<String>> = analysis.matches[0]
        .paths
        .iter()
        .map(|path| {
            path.steps
                .iter()
                .map(|step| step.edge_label.clone())
                .collect()
        })
        .collect();
    assert!(
        labels
            .iter()
            .any(|steps| steps.iter().any(|label| label == "Map entry")),
        "{labels:#?}"
    );
    assert!(
        labels
            .iter()
            .any(|steps| steps.iter().any(|label| label == "variable captured")),
        "{labels:#?}"
    );
    let closure_path = analysis.matches[0]
        .paths
        .iter()
        .find(|path| {
            path.steps
                .iter()
                .any(|step| step.edge_label == "variable captured")
        })
        .expect("the closure path");
    assert!(closure_path
        .steps
        .iter()
        .any(|step| step.holder.label == "function onRequest"));
}

#[test]
fn finds_by_node_id_and_summarizes_by_constructor() {
    let graph = app_graph();
    let app = find(&graph, "App").matches[0].paths[0].target.clone();
    let by_id = analyze(
        &graph,
        &AnalyzeOptions {
            ids: vec![app.id],
            ..AnalyzeOptions::default()
        },
    );
    assert_eq!(by_id.matches[0].query, format!("@{}", app.id));
    assert_eq!(by_id.matches[0].paths[0].target.index, app.index);
    assert!(by_id.reachable_size.expect("sizes") <= by_id.total_size);
    let all = analyze(
        &graph,
        &AnalyzeOptions {
            top: usize::MAX,
            ..AnalyzeOptions::default()
        },
    );
    let app_group = all
        .constructors
        .iter()
        .find(|group| group.name == "App")
        .expect("App group");
    assert_eq!(
        app_group.count, 1,
        "only strongly reachable objects are summarised"
    );
    assert!(app_group.max_retained_size >= app_group.self_size);
    let sizes = super::retained::RetainedSizes::compute(&graph);
    assert_eq!(sizes.immediate_dominator(0), Some(0));
    assert_eq!(sizes.retained_size(0), all.reachable_size);
}

#[test]
fn an_id_lists_what_its_object_refers_to_the_biggest_first() {
    let graph = app_graph();
    let app = find(&graph, "App").matches[0].paths[0].target.clone();
    let asked = |max_references| {
        analyze(
            &graph,
            &AnalyzeOptions {
                ids: vec![app.id],
                max_references,
                ..AnalyzeOptions::default()
            },
        )
        .matches
        .remove(0)
    };
    let by_id = asked(3);
    let references = by_id.references.expect("references for an id");
    let total = by_id.reference_count.expect("a count with them");
    assert!(total >= 2, "App has its server and its map: {total}");
    assert!(references.len() <= 3);
    // `server` holds the 100-element array: it retains more than anything else App refers to.
    let first = &references[0];
    assert_eq!(first.edge_label, "App.server");
    assert_eq!(first.edge_type, "property");
    assert!(!first.is_weak && !first.is_internal);
    assert_eq!(first.target.label, "Object instance");
    let sizes: Vec<u64> = references
        .iter()
        .filter(|reference| !reference.is_weak)
        .map(|reference| reference.target.retained_size.unwrap_or(0))
        .collect();
    assert!(sizes.windows(2).all(|pair| pair[0] >= pair[1]), "{sizes:?}");
    // Not asked for (a watch() check, a --find): none, and the JSON has no such keys.
    let plain = asked(0);
    assert!(plain.references.is_none() && plain.reference_count.is_none());
    let json = serde_json::to_string(&plain).expect("serialises");
    assert!(!json.contains("references") && !json.contains("referenceCount"));
    let by_name = find(&graph, "App").matches.remove(0);
    assert!(by_name.references.is_none());
}

#[test]
fn names_a_hidden_context_slot_from_its_scope_info() {
    let graph = app_graph();
    let context = (0..graph.node_count())
        .find(|&node| {
            graph.node_name(node) == "system / Context"
                && graph.edges(node).any(|edge| {
                    graph.edge_type_name(edge) == "context" && graph.edge_name(edge) == "captured"
                })
        })
        .expect("makeHandler's context");
    assert_eq!(
        super::paths::context_slot_name(&graph, context, 0).as_deref(),
        Some("captured")
    );
}

#[test]
fn diff_reports_what_grew() {
    let before = HeapGraph::new(parse_bytes(app_snapshot()).expect("parses"));
    let grown = snapshot_of(
        "grown",
        &APP_SCRIPT.replace(
            "globalThis.keep = [new App()];",
            "globalThis.keep = [new App()]; class Leak {}; globalThis.leaks = Array.from({ length: 500 }, () => new Leak());",
        ),
    );
    let after = HeapGraph::new(parse_bytes(&grown).expect("parses"));
    let report = diff::diff_snapshots(&before, &after);
    let leak = report
        .grown
        .iter()
        .find(|group| group.name == "Leak")
        .expect("Leak grew");
    assert_eq!(leak.count_before, 0);
    assert_eq!(leak.count_delta, 500);
    assert!(leak.size_delta > 0);
    assert!(report
        .grown
        .iter()
        .all(|group| group.count_delta > 0 || group.size_delta > 0));
}

// A runner's bookkeeping as node:test keeps it: each hook holds its closure, which captured the test's server. One
// server is held by a hook and by the program's own array too.
const RUNNER_SCRIPT: &str = r"
class RunnerHook { constructor(fn) { this.fn = fn } }
class Served {}
function setUp() {
  globalThis.hooks = [];
  for (let i = 0; i < 2; i++) { const server = new Served(); globalThis.hooks.push(new RunnerHook(() => server)) }
  const both = new Served();
  globalThis.hooks.push(new RunnerHook(() => both));
  globalThis.kept = [both];
}
// Apart from setUp: closures made in one scope share it, and each holds every variable any of them captured.
function setUpEntries() {
  const plain = new Served();
  globalThis.entries = [{ fn: () => plain, seenDone: false }];
}
globalThis.options = { fn: () => 1 };
// A module: its body runs as a function made at the top level (`new Function`, as a module wrapper is), so its scope
// sits right under the native context. The runner holds the module's test function, and that function its scope.
class Registered {}
class Own {}
globalThis.moduleHooks = (() => {
  const makeModule = new Function('RunnerHook', 'Registered', 'Own', `
    const registry = [];
    return function runTest() { const own = new Own(); registry.push(new Registered()); return new RunnerHook(() => own) };
  `);
  const runTest = makeModule(RunnerHook, Registered, Own);
  return [new RunnerHook(runTest), runTest()];
})();
setUp();
setUpEntries();
setTimeout(() => require('v8').writeHeapSnapshot(process.argv[1]), 10);
";

fn runner_graph() -> HeapGraph {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| snapshot_of("runner", RUNNER_SCRIPT));
    HeapGraph::new(parse_bytes(bytes).expect("parses"))
}

/// The instances of `name` found with the references of `patterns` ignored (`"Holder has other"`: `holderHas`).
fn found_ignoring(name: &str, patterns: &[(&str, &str)]) -> super::HeapMatch {
    let graph = runner_graph();
    let ignore_references = patterns
        .iter()
        .map(|&(holder, edge)| {
            let (holder, holder_has) = match holder.split_once(" has ") {
                Some((holder, has)) => (holder, Some(has.to_owned())),
                None => (holder, None),
            };
            ReferencePattern {
                holder: holder.to_owned(),
                edge: edge.to_owned(),
                holder_has,
            }
        })
        .collect();
    let options = AnalyzeOptions {
        find: vec![name.to_owned()],
        max_paths: 10,
        ignore_references,
        ..AnalyzeOptions::default()
    };
    analyze(&graph, &options).matches.remove(0)
}

fn served(patterns: &[(&str, &str)]) -> super::HeapMatch {
    found_ignoring("Served", patterns)
}

#[test]
fn the_path_search_does_not_go_through_open_holders() {
    // The runner's hooks stand for resources still open (a pending timer's closure, an open socket): what only they
    // hold has no path; the server the program's own array holds too is still found, through the array.
    let graph = runner_graph();
    let hooks = graph
        .find_by_name("RunnerHook")
        .into_iter()
        .map(|node| graph.node_id(node))
        .collect();
    let options = AnalyzeOptions {
        find: vec!["Served".to_owned()],
        max_paths: 10,
        held_by_open: hooks,
        ..AnalyzeOptions::default()
    };
    let found = analyze(&graph, &options).matches.remove(0);
    assert_eq!(found.count, 4);
    // `plain` is held by a plain object's closure, no hook: still reachable.
    assert_eq!(found.reachable_count, 2);
    let mut firsts: Vec<&str> = found
        .paths
        .iter()
        .map(|path| path.steps[0].edge_label.as_str())
        .collect();
    firsts.sort_unstable();
    assert_eq!(firsts, ["global.entries", "global.kept"]);
    // An id the snapshot does not have is no holder, and no error.
    let options = AnalyzeOptions {
        find: vec!["Served".to_owned()],
        held_by_open: vec![u64::MAX],
        ..AnalyzeOptions::default()
    };
    assert_eq!(analyze(&graph, &options).matches[0].reachable_count, 4);
}

#[test]
fn the_path_search_skips_ignored_references() {
    assert_eq!(served(&[]).reachable_count, 4);
    // The hooks' closures are skipped: only the server the program's own array holds is retained, through it.
    let plain_entry = ("Object has seenDone", "fn");
    for patterns in [
        &[("RunnerHook", "fn"), plain_entry][..],
        &[("Runner*", "*"), plain_entry],
        &[
            ("Context", "server"),
            ("Context", "both"),
            ("Context", "plain"),
        ],
    ] {
        let found = served(patterns);
        assert_eq!(found.count, 4, "{patterns:?}");
        assert_eq!(found.reachable_count, 1, "{patterns:?}");
        let steps: Vec<&str> = found.paths[0]
            .steps
            .iter()
            .map(|step| step.edge_label.as_str())
            .collect();
        assert_eq!(steps, ["global.kept", "Array[0]"], "{patterns:?}");
        assert_eq!(found.unreachable.len(), 3);
    }
    // A pattern that matches nothing changes nothing; one on the holder alone does not skip other references; a plain
    // object's `fn` is skipped only on the objects of that shape.
    assert_eq!(served(&[("RunnerHook", "other")]).reachable_count, 4);
    assert_eq!(served(&[("Nothing*", "fn")]).reachable_count, 4);
    assert_eq!(served(&[plain_entry]).reachable_count, 3);
    assert_eq!(served(&[("Object has other", "fn")]).reachable_count, 4);
}

#[test]
fn a_module_scope_holds_its_variables_when_the_runner_alone_reaches_it() {
    let hook = [("RunnerHook", "fn")];
    // Without patterns, through the runner's hooks; with them, the registry is still the module's, from its scope.
    let registered = found_ignoring("Registered", &hook);
    assert_eq!(registered.reachable_count, 1);
    let path = &registered.paths[0];
    assert_eq!(path.root, "module scope (its top-level variables)");
    let steps: Vec<&str> = path
        .steps
        .iter()
        .map(|step| step.edge_label.as_str())
        .collect();
    assert_eq!(steps, ["variable registry", "Array[0]"]);
    // What the test's own function scope held is the runner's to keep.
    assert_eq!(found_ignoring("Own", &[]).reachable_count, 1);
    assert_eq!(found_ignoring("Own", &hook).reachable_count, 0);
}

fn parse_error(bytes: &[u8]) -> Option<(u64, String)> {
    match parse_bytes(bytes) {
        Ok(_) => None,
        Err(SnapshotError::Parse { offset, message }) => Some((offset, message)),
        Err(SnapshotError::Io(error)) => panic!("no IO here: {error}"),
    }
}

/// `parse_error` for a stream of unknown size: the header's counts cannot be checked against it.
fn stream_parse_error(bytes: &[u8]) -> Option<(u64, String)> {
    let mut parser = SnapshotParser::new();
    let result = parser.push(bytes).and_then(|()| parser.finish());
    match result {
        Ok(_) => None,
        Err(SnapshotError::Parse { offset, message }) => Some((offset, message)),
        Err(SnapshotError::Io(error)) => panic!("no IO here: {error}"),
    }
}

#[test]
fn truncation_anywhere_is_an_error_with_an_offset() {
    let bytes = app_snapshot();
    let step = (bytes.len() / 150).max(1);
    let mut offsets: Vec<usize> = (0..bytes.len()).step_by(step).collect();
    offsets.extend([0, 1, 2, 10, 100, bytes.len() - 2, bytes.len() - 1]);
    for cut in offsets {
        // Known size (a file): once the header is read, its counts say the rest is missing. A stream finds out at
        // its end.
        for (sized, parsed) in [
            (true, parse_error(&bytes[..cut])),
            (false, stream_parse_error(&bytes[..cut])),
        ] {
            let (offset, message) = parsed
                .unwrap_or_else(|| panic!("a snapshot cut at {cut} of {} parsed", bytes.len()));
            assert!(
                offset <= cut as u64,
                "cut at {cut}: error at {offset}: {message}"
            );
            if cut > 1000 {
                let truncated = sized
                    && message.ends_with("it is corrupt or truncated; take the snapshot again");
                assert!(
                    truncated || message.contains("unexpected end of input"),
                    "cut at {cut}: {message}"
                );
            }
        }
    }
}

#[test]
fn corrupt_bytes_give_errors_not_panics() {
    let bytes = app_snapshot();
    // A fixed xorshift: the same corruptions every run.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut errors = 0;
    for _ in 0..150 {
        let mut corrupt = bytes.to_vec();
        for _ in 0..1 + next() % 3 {
            let at = (next() % corrupt.len() as u64) as usize;
            corrupt[at] = b"x,]}[{\"0\\-"[(next() % 10) as usize];
        }
        // Parsing must return (either way), and an error must point inside the file.
        if let Some((offset, message)) = parse_error(&corrupt) {
            errors += 1;
            assert!(offset <= corrupt.len() as u64, "{message}");
            assert!(!message.is_empty());
        } else {
            // A harmless corruption (a digit for a digit, a letter inside a string) still gives a usable graph.
            let graph = HeapGraph::new(parse_bytes(&corrupt).expect("parsed once already"));
            let _ = analyze(&graph, &AnalyzeOptions::default());
        }
    }
    assert!(
        errors > 100,
        "most corruptions are detected: {errors} of 300"
    );
}

#[test]
fn error_messages_name_the_byte_and_the_expectation() {
    let bad = br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]},"node_count":1,"edge_count":0},
"nodes":[0,0,1,0,0x],"edges":[],"strings":[""]}"#;
    let (offset, message) = parse_error(bad).expect("an error");
    let at = bad.iter().rposition(|&b| b == b'x').expect("the x") as u64;
    assert_eq!(offset, at);
    assert_eq!(
        message,
        "expected a digit, ',' or ']' in \"nodes\", found 'x'"
    );
    let good = String::from_utf8_lossy(bad).replace("0x]", "0]");
    let snapshot = parse_bytes(good.as_bytes()).expect("the minimal snapshot parses");
    assert_eq!(snapshot.node_count(), 1);
    let unicode = good.replace(r#"[""]"#, r#"["\u00e9\ud83d\ude00\ud800!"]"#);
    let snapshot = parse_bytes(unicode.as_bytes()).expect("escapes parse");
    assert_eq!(snapshot.strings.get(0), "é😀\u{FFFD}!");
    let edges_mismatch = good.replace("0,0,1,0,0]", "0,0,1,0,1]");
    let (_, message) = parse_error(edges_mismatch.as_bytes()).expect("an error");
    assert!(message.contains("declare 1 edges"), "{message}");
}

/// A small snapshot (about 1 KB) whose header says `counts` (e.g. `"node_count":1,"edge_count":0`).
fn claiming(counts: &str) -> Vec<u8> {
    let nodes = vec!["0,0,1,0,0"; 100].join(",");
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"]}},{counts}}},
"nodes":[{nodes}],"edges":[],"strings":[""]}}"#
    )
    .into_bytes()
}

#[test]
fn header_counts_past_what_the_file_can_hold_are_an_error_before_any_allocation() {
    let bytes = claiming(r#""node_count":1000000000000,"edge_count":0,"trace_function_count":0"#);
    let total = bytes.len();
    let (offset, message) = parse_error(&bytes).expect("an error");
    assert_eq!(
        message,
        format!(
            "the snapshot's header claims 1000000000000 nodes, which take at least 10000000000000 bytes, but the \
             file has only {total} bytes: it is corrupt or truncated; take the snapshot again"
        )
    );
    // At the header's closing brace, before "nodes".
    let header_end = bytes
        .windows(3)
        .position(|w| w == b"},\n")
        .expect("the header") as u64;
    assert_eq!(offset, header_end);
    // Each count is checked, and so is their sum.
    for (counts, claimed) in [
        (
            r#""node_count":100,"edge_count":99999999"#,
            "100 nodes and 99999999 edges",
        ),
        (
            r#""node_count":100,"edge_count":0,"trace_function_count":18446744073709551615"#,
            "100 nodes and 18446744073709551615 trace functions",
        ),
        (
            r#""node_count":100,"edge_count":100"#,
            "100 nodes and 100 edges",
        ),
    ] {
        let (_, message) = parse_error(&claiming(counts)).expect("an error");
        assert!(
            message.starts_with(&format!(
                "the snapshot's header claims {claimed}, which take at least "
            )),
            "{message}"
        );
    }
    // What the file does hold passes, and so do counts left out.
    for counts in [
        r#""node_count":100,"edge_count":0"#,
        r#""trace_function_count":0"#,
    ] {
        assert_eq!(
            parse_bytes(&claiming(counts)).expect("parses").node_count(),
            100
        );
    }
}

#[test]
fn header_counts_that_are_not_whole_numbers_are_an_error() {
    for (key, value) in [
        ("node_count", "-1"),
        ("edge_count", "1.5"),
        ("node_count", r#""100""#),
        ("trace_function_count", "-0.5"),
        ("edge_count", "[]"),
    ] {
        let counts = [
            ("node_count", "100"),
            ("edge_count", "0"),
            ("trace_function_count", "0"),
        ]
        .map(|(name, count)| format!(r#""{name}":{}"#, if name == key { value } else { count }))
        .join(",");
        let expected = format!(
            "the snapshot's header gives {key} as {value}, which is not a count (a whole number from 0 up): the \
             file is corrupt; take the snapshot again"
        );
        // Known size or not: a count that is not one is wrong either way.
        let (_, sized) = parse_error(&claiming(&counts)).expect("an error");
        assert_eq!(sized, expected);
        let (_, streamed) = stream_parse_error(&claiming(&counts)).expect("an error");
        assert_eq!(streamed, expected);
    }
    // Written with an exponent, a whole number is still one.
    let snapshot = parse_bytes(&claiming(r#""node_count":1e2,"edge_count":0.0"#)).expect("parses");
    assert_eq!(snapshot.node_count(), 100);
}

#[test]
fn a_stream_of_unknown_size_reserves_a_bounded_amount_whatever_the_header_claims() {
    let bytes = claiming(r#""node_count":1000000000000,"edge_count":1000000000000"#);
    let mut parser = SnapshotParser::new();
    for chunk in bytes.chunks(100) {
        parser.push(chunk).expect("pushes");
    }
    let snapshot = parser.finish().expect("parses: the counts are only claims");
    assert_eq!(snapshot.node_count(), 100);
    assert!(
        snapshot.node_name.capacity() <= 1 << 16,
        "{}",
        snapshot.node_name.capacity()
    );
    assert!(snapshot.node_edge_count.capacity() <= (1 << 16) + 1);
    assert!(
        snapshot.edge_to.capacity() <= 1 << 16,
        "{}",
        snapshot.edge_to.capacity()
    );
}

#[test]
fn a_truthful_claim_is_reserved_without_slack_whether_the_size_is_known_or_not() {
    let bytes = app_snapshot();
    let sized = parse_bytes(bytes).expect("parses");
    let mut parser = SnapshotParser::new();
    for chunk in bytes.chunks(4096) {
        parser.push(chunk).expect("pushes");
    }
    let streamed = parser.finish().expect("parses");
    // The app's snapshot has more edges than the stream reserves up front: they grew toward the claim.
    assert!(streamed.edge_count() > 1 << 16, "{}", streamed.edge_count());
    for snapshot in [&sized, &streamed] {
        assert_eq!(snapshot.node_name.capacity(), snapshot.node_count());
        assert_eq!(snapshot.edge_to.capacity(), snapshot.edge_count());
        assert_eq!(snapshot.edge_type.capacity(), snapshot.edge_count());
    }
    same_columns(&sized, &streamed);
    // A header that claims too few: the columns grow past the claim, and the parse is the same.
    let text = String::from_utf8_lossy(bytes);
    let node_count = format!("\"node_count\":{}", sized.node_count());
    assert!(text.contains(&node_count), "the header gives node_count");
    let understated = text.replacen(&node_count, "\"node_count\":10", 1);
    let mut parser = SnapshotParser::new();
    for chunk in understated.as_bytes().chunks(4096) {
        parser.push(chunk).expect("pushes");
    }
    same_columns(&sized, &parser.finish().expect("parses"));
}

/// Parses `bytes` in `chunk`-byte pushes, splitting number runs of `split_from` bytes and more over two threads.
/// Splits joined on this thread so far (see `JOINED_SPLITS`).
fn joined_splits() -> usize {
    super::snapshot::JOINED_SPLITS.with(std::cell::Cell::get)
}

/// The whole input in one chunk, on one thread: the reference the split readings are compared with.
fn parse_serially(bytes: &[u8]) -> Result<HeapSnapshot, (u64, String)> {
    parse(
        bytes,
        Reading::Chunks {
            chunk: bytes.len(),
            split_from: usize::MAX,
        },
    )
}

/// In chunks of `chunk` bytes, each number section split between two threads.
fn parse_split(bytes: &[u8], chunk: usize) -> Result<HeapSnapshot, (u64, String)> {
    parse(
        bytes,
        Reading::Chunks {
            chunk,
            split_from: 0,
        },
    )
}

fn same_columns(a: &HeapSnapshot, b: &HeapSnapshot) {
    assert_eq!(a.node_type, b.node_type);
    assert_eq!(a.node_name, b.node_name);
    assert_eq!(a.node_id, b.node_id);
    assert_eq!(a.node_self_size, b.node_self_size);
    assert_eq!(a.node_edge_count, b.node_edge_count);
    assert_eq!(a.edge_type, b.edge_type);
    assert_eq!(a.edge_name_or_index, b.edge_name_or_index);
    assert_eq!(a.edge_to, b.edge_to);
    assert_eq!(a.strings.len(), b.strings.len());
}

#[test]
fn split_scan_gives_the_serial_columns_on_a_real_snapshot() {
    let bytes = app_snapshot();
    let serial = parse_serially(bytes).expect("parses");
    for (chunk, split_from) in [
        (bytes.len(), 0),
        (bytes.len(), 4096),
        (65_537, 0),
        (1 << 20, 300),
    ] {
        let before = joined_splits();
        let split = parse(bytes, Reading::Chunks { chunk, split_from }).expect("parses split");
        same_columns(&split, &serial);
        assert!(
            joined_splits() > before,
            "no split was joined with chunks of {chunk} bytes"
        );
    }
}

/// A small snapshot with long numbers, odd spacing and V8's row newlines, so that the second thread stops early.
const SMALL: &str = "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\"],\
\"node_types\":[[\"synthetic\",\"object\"]],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[[\"element\",\"property\"]]},\
\"node_count\":4,\"edge_count\":5},\n\"nodes\":[0,0,1,0,2,0\n,1,1,123456789,16,2,0\n,1,2,5,4294967296, 1,0\n,1 ,1,7,24,0,0],\n\
\"edges\":[0,0,6\n,1,1,12\n,1,2,18\n,0,12345678,0\n,1,1,6],\n\"strings\":[\"\",\"App\",\"x\"]}";

#[test]
fn split_scan_at_every_position_of_a_small_input() {
    let bytes = SMALL.as_bytes();
    let serial = parse_serially(bytes).expect("the small snapshot parses");
    assert_eq!(serial.node_count(), 4);
    assert_eq!(serial.node_id.get(1), 123_456_789);
    assert_eq!(serial.node_self_size[2], u32::MAX);
    let before = joined_splits();
    for chunk in 1..=bytes.len() {
        let split = parse_split(bytes, chunk).expect("parses split");
        same_columns(&split, &serial);
    }
    assert!(
        joined_splits() > before,
        "no split of the small input was joined"
    );
    // Two pushes, cut at every position: each push's number run is split wherever it falls.
    for cut in 0..=bytes.len() {
        let mut parser = SnapshotParser::new().split_from(0);
        parser.push(&bytes[..cut]).expect("first part");
        parser.push(&bytes[cut..]).expect("second part");
        same_columns(&parser.finish().expect("finishes"), &serial);
    }
}

#[test]
fn split_scan_errors_at_the_serial_offsets() {
    let bytes = SMALL.as_bytes();
    let nodes = SMALL.find("\"nodes\"").expect("nodes");
    // Every byte of the arrays in turn: a bad type, a byte that is not JSON, a too-large name, a stray comma.
    for at in nodes..bytes.len() - 20 {
        for bad in [&b"9"[..], b"x", b"99999999999", b",", b"]", b"7"] {
            let mut corrupt = bytes[..at].to_vec();
            corrupt.extend_from_slice(bad);
            corrupt.extend_from_slice(&bytes[at + 1..]);
            let serial = parse_serially(&corrupt).err();
            for chunk in [corrupt.len(), 7, 64] {
                let split = parse_split(&corrupt, chunk).err();
                assert_eq!(
                    split,
                    serial,
                    "{:?} at {at}, chunks of {chunk}",
                    String::from_utf8_lossy(bad)
                );
            }
        }
    }
}

#[test]
fn split_scan_errors_match_on_a_real_snapshot() {
    let bytes = app_snapshot();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..40 {
        let mut corrupt = bytes.to_vec();
        let at = (next() % corrupt.len() as u64) as usize;
        corrupt[at] = b"x,]9 \n"[(next() % 6) as usize];
        let serial = parse_serially(&corrupt).err();
        let split = parse_split(&corrupt, corrupt.len()).err();
        assert_eq!(split, serial, "byte {at}");
    }
}

/// Retained sizes by another algorithm (Cooper, Harvey and Kennedy's iterative dominators, over predecessor lists
/// built here), for checking the Semi-NCA one on a real graph.
fn retained_sizes_by_iteration(graph: &HeapGraph) -> Vec<Option<u64>> {
    let node_count = graph.node_count() as usize;
    const UNSEEN: u32 = u32::MAX;
    // Postorder of a depth-first search over strong edges.
    let mut postorder_number = vec![UNSEEN; node_count];
    let mut postorder = Vec::new();
    let mut visited = vec![false; node_count];
    let mut stack = vec![(0u32, graph.edges(0).start)];
    visited[0] = true;
    while let Some(&mut (node, ref mut next)) = stack.last_mut() {
        let end = graph.edges(node).end;
        let mut child = None;
        while *next < end {
            let edge = *next;
            *next += 1;
            let to = graph.edge_to(edge);
            if graph.is_strong(node, edge) && !visited[to as usize] {
                visited[to as usize] = true;
                child = Some(to);
                break;
            }
        }
        match child {
            Some(to) => stack.push((to, graph.edges(to).start)),
            None => {
                postorder_number[node as usize] = postorder.len() as u32;
                postorder.push(node);
                stack.pop();
            }
        }
    }
    let mut predecessors: Vec<Vec<u32>> = vec![Vec::new(); node_count];
    for &node in &postorder {
        for edge in graph.edges(node) {
            if graph.is_strong(node, edge) {
                predecessors[graph.edge_to(edge) as usize].push(node);
            }
        }
    }
    let mut idom = vec![UNSEEN; node_count];
    idom[0] = 0;
    let intersect = |idom: &[u32], mut a: u32, mut b: u32| {
        while a != b {
            while postorder_number[a as usize] < postorder_number[b as usize] {
                a = idom[a as usize];
            }
            while postorder_number[b as usize] < postorder_number[a as usize] {
                b = idom[b as usize];
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &node in postorder.iter().rev().skip(1) {
            let mut new_idom = UNSEEN;
            for &from in &predecessors[node as usize] {
                if idom[from as usize] == UNSEEN {
                    continue;
                }
                new_idom = if new_idom == UNSEEN {
                    from
                } else {
                    intersect(&idom, from, new_idom)
                };
            }
            if idom[node as usize] != new_idom {
                idom[node as usize] = new_idom;
                changed = true;
            }
        }
    }
    let mut retained: Vec<Option<u64>> = vec![None; node_count];
    for &node in &postorder {
        retained[node as usize] = Some(graph.self_size(node));
    }
    // Postorder puts every node after all it dominates.
    for &node in &postorder {
        if node != 0 {
            let size = retained[node as usize].unwrap_or(0);
            let dominator = idom[node as usize] as usize;
            retained[dominator] = Some(retained[dominator].unwrap_or(0) + size);
        }
    }
    retained
}

#[test]
fn retained_sizes_match_an_independent_dominator_algorithm() {
    for graph in [app_graph(), runner_graph()] {
        let expected = retained_sizes_by_iteration(&graph);
        let sizes = super::retained::RetainedSizes::compute(&graph);
        let mut compared = 0;
        for node in 0..graph.node_count() {
            assert_eq!(
                sizes.retained_size(node),
                expected[node as usize],
                "node {node} ({})",
                graph.node_name(node)
            );
            compared += usize::from(expected[node as usize].is_some());
        }
        assert!(compared > 1000, "{compared} reachable nodes");
    }
}
