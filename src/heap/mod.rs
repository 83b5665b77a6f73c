//! Heap snapshot analysis: why an object is still alive, and what holds the memory.
//!
//! Split as Shark splits it: `snapshot` reads V8's `.heapsnapshot` stream into flat columns, `graph` indexes it,
//! and the analyses sit on top: `paths` (shortest strong retainer path, in words), `retained` (dominator tree,
//! retained sizes), `summary` (by constructor) and `diff` (growth between two snapshots). `analyze` is what the
//! CLI and the napi glue call. No napi here: the glue turns these results into JSON.
//!
//! Work is split over two threads once parsed: the retainer-path search and the dominator tree are independent.

pub mod diff;
pub mod graph;
mod kind_column;
pub mod memory;
pub mod paths;
mod profile;
pub mod reference_patterns;
pub mod references;
pub mod retained;
pub mod snapshot;
pub mod summary;

use graph::HeapGraph;
use paths::{HeapNodeInfo, Namer, RetainerPath, ShortestPaths};
use profile::profile;
use reference_patterns::{ReferencePattern, SkippedReferences};
use references::HeapReference;
use retained::RetainedSizes;
use serde::{Deserialize, Serialize};
use summary::ConstructorSummary;

/// What to look for in a snapshot.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct AnalyzeOptions {
    /// Constructor (or function) names whose instances get a retainer path.
    pub find: Vec<String>,
    /// Node ids that get a retainer path.
    pub ids: Vec<u64>,
    /// Paths printed per name of `find` (the instances that retain the most). Default 3.
    pub max_paths: usize,
    /// References listed for the object of each of `ids` (what it holds, those retaining the most first). Default 0.
    pub max_references: usize,
    /// Constructors listed in the summary. Default 20.
    pub top: usize,
    /// Compute the dominator tree (retained sizes). Default true.
    pub retained_sizes: bool,
    /// References the path search does not follow: a match reachable only through them gets no path and counts as
    /// unreachable. Default none.
    pub ignore_references: Vec<ReferencePattern>,
    /// Node ids of objects whose references the path search does not follow: what only they hold gets no path. The
    /// caller's resources that are still open or pending, whose holdings are theirs until they close. Default none.
    pub held_by_open: Vec<u64>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            find: Vec::new(),
            ids: Vec::new(),
            max_paths: 3,
            max_references: 0,
            top: 20,
            retained_sizes: true,
            ignore_references: Vec::new(),
            held_by_open: Vec::new(),
        }
    }
}

/// The objects found for one `find` name or id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapMatch {
    /// The name or id asked for, as given.
    pub query: String,
    /// How many objects matched (all of them, not only those with a path below).
    pub count: u64,
    /// Matches that the root reaches strongly.
    pub reachable_count: u64,
    /// Up to `maxPaths` of them, those retaining the most first.
    pub paths: Vec<RetainerPath>,
    /// Matches not reachable strongly (garbage, held only weakly, or only through ignored references), up to
    /// `maxPaths`.
    pub unreachable: Vec<HeapNodeInfo>,
    /// For an id that found its object, with `maxReferences` above 0: what the object refers to, strong references
    /// first, then those whose target retains the most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<HeapReference>>,
    /// How many references that object has in all (with `references`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_count: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapAnalysis {
    pub node_count: u64,
    pub edge_count: u64,
    /// Sum of all self sizes.
    pub total_size: u64,
    /// What the root retains (`None` when sizes were not computed).
    pub reachable_size: Option<u64>,
    /// Biggest constructors first (by what their largest instance retains).
    pub constructors: Vec<ConstructorSummary>,
    pub matches: Vec<HeapMatch>,
}

/// Runs the analysis the options ask for.
pub fn analyze(graph: &HeapGraph, options: &AnalyzeOptions) -> HeapAnalysis {
    let started = std::time::Instant::now();
    // (what was asked, as given; the objects found; whether it asked for one object by its id)
    let mut queries: Vec<(String, Vec<u32>, bool)> = options
        .find
        .iter()
        .map(|name| (name.clone(), graph.find_by_name(name), false))
        .collect();
    queries.extend(options.ids.iter().map(|&id| {
        let found = graph.find_by_id(id).into_iter().collect();
        (format!("@{id}"), found, true)
    }));
    let targets: Vec<u32> = queries
        .iter()
        .flat_map(|(_, nodes, _)| nodes.iter().copied())
        .collect();
    let (paths, sizes) = std::thread::scope(|scope| {
        // The dominator search waits for the path search before its peak, so the two peaks never add up.
        let (paths_done, wait_for_paths) = std::sync::mpsc::channel::<()>();
        let sizes = options.retained_sizes.then(|| {
            scope.spawn(move || {
                let at = std::time::Instant::now();
                let sizes = RetainedSizes::compute_then(graph, || {
                    // Returns once the sender is dropped, whatever happened to the search.
                    let _ = wait_for_paths.recv();
                });
                profile("retained sizes", at);
                sizes
            })
        });
        let at = std::time::Instant::now();
        let open = options
            .held_by_open
            .iter()
            .filter_map(|&id| graph.find_by_id(id))
            .collect();
        let mut skipped =
            SkippedReferences::new(&options.ignore_references).with_open_holders(open);
        let paths =
            (!targets.is_empty()).then(|| ShortestPaths::search(graph, &targets, &mut skipped));
        drop(paths_done);
        profile("paths", at);
        let sizes = sizes.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (paths, sizes)
    });
    profile("find + paths + sizes", started);
    let namer = Namer {
        graph,
        sizes: sizes.as_ref(),
    };
    let matches = queries
        .into_iter()
        .map(|(query, nodes, by_id)| {
            let reaches = |node: u32| paths.as_ref().is_some_and(|paths| paths.reaches(node));
            let (mut reachable, unreached): (Vec<u32>, Vec<u32>) =
                nodes.iter().partition(|&&node| reaches(node));
            let reachable_count = reachable.len() as u64;
            let retained = |node: u32| {
                sizes
                    .as_ref()
                    .and_then(|sizes| sizes.retained_size(node))
                    .unwrap_or(0)
            };
            // Only the kept few get a path in words: a query like "Object" can match millions.
            reachable.sort_by_key(|&node| std::cmp::Reverse(retained(node)));
            reachable.truncate(options.max_paths);
            let found = reachable
                .iter()
                .filter_map(|&node| paths.as_ref()?.path_to(graph, node, sizes.as_ref()))
                .collect();
            let unreachable = unreached
                .iter()
                .take(options.max_paths)
                .map(|&node| namer.node(node))
                .collect();
            let (references, reference_count) = match nodes.first() {
                Some(&node) if by_id && options.max_references > 0 => {
                    let (shown, total) =
                        references::references_of(&namer, node, options.max_references);
                    (Some(shown), Some(total))
                }
                _ => (None, None),
            };
            HeapMatch {
                query,
                count: nodes.len() as u64,
                reachable_count,
                paths: found,
                unreachable,
                references,
                reference_count,
            }
        })
        .collect();
    let at = std::time::Instant::now();
    let mut constructors = summary::summarize(graph, sizes.as_ref());
    constructors.truncate(options.top);
    profile("summary", at);
    HeapAnalysis {
        node_count: u64::from(graph.node_count()),
        edge_count: graph.edge_count() as u64,
        total_size: (0..graph.node_count())
            .map(|node| graph.self_size(node))
            .sum(),
        reachable_size: sizes.as_ref().and_then(|sizes| sizes.retained_size(0)),
        constructors,
        matches,
    }
}

#[cfg(test)]
mod tests;
