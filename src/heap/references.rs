//! What one object refers to: its outgoing references, in words, for `leakwatch analyze --id`.
//!
//! An object can hold millions of references (a large array): they are ranked by cheap keys (strong before weak,
//! then by what the referenced object retains) and only the kept few are named.

use super::graph::HeapGraph;
use super::paths::{HeapNodeInfo, Namer};
use serde::Serialize;

/// One reference an object holds.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapReference {
    /// V8's edge type: `property`, `element`, `context`, `internal`, `hidden`, `shortcut`, `weak`.
    pub edge_type: String,
    /// The property or variable name, or the index in decimal.
    pub edge_name: String,
    /// Words for a report: `App.server`, `Array[0]`, `variable app`, ...
    pub edge_label: String,
    /// The reference is one of V8's internals rather than something the program wrote.
    pub is_internal: bool,
    /// The reference does not keep its target alive (a weak reference, or a WeakMap entry of another key).
    pub is_weak: bool,
    pub target: HeapNodeInfo,
}

/// The references of `node`, strong ones first, then those whose target retains the most, at most `limit`; and how
/// many references it has in all.
pub fn references_of(namer: &Namer, node: u32, limit: usize) -> (Vec<HeapReference>, u64) {
    let graph: &HeapGraph = namer.graph;
    let edges = graph.edges(node);
    let total = edges.len() as u64;
    let retained = |edge: u32| {
        namer
            .sizes
            .and_then(|sizes| sizes.retained_size(graph.edge_to(edge)))
            .unwrap_or(0)
    };
    let mut ranked: Vec<u32> = edges.collect();
    // Stable: among equals, the snapshot's own order (a property before a later one).
    ranked.sort_by_key(|&edge| {
        (
            !graph.is_strong(node, edge),
            std::cmp::Reverse(retained(edge)),
        )
    });
    ranked.truncate(limit);
    let kinds = graph.edge_kinds;
    let shown = ranked
        .into_iter()
        .map(|edge| {
            let kind = graph.edge_type(edge);
            HeapReference {
                edge_type: graph.edge_type_name(edge).to_owned(),
                edge_name: graph.edge_name(edge),
                edge_label: namer.edge_label(edge, None),
                is_internal: kind == kinds.internal || kind == kinds.hidden,
                is_weak: !graph.is_strong(node, edge),
                target: namer.node(graph.edge_to(edge)),
            }
        })
        .collect();
    (shown, total)
}
