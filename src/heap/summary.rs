//! Objects grouped by constructor: how many, their own bytes, and how much the largest of them retains.
//!
//! The grouping key is the class name a user recognises: an object's constructor name, or a parenthesised kind for
//! what has none (`(closure)`, `(string)`, `(array)`, `(compiled code)`, `(system)`, ...), as DevTools' Summary
//! view does. Limit: the per-group retained figure is that of its largest instance (and the top few instances are
//! listed), not the DevTools-style sum over instances not dominated by another of the same group, which needs a
//! walk of the dominator tree per group.

use super::graph::HeapGraph;
use super::retained::RetainedSizes;
use serde::Serialize;
use std::collections::HashMap;

/// One object of a group, by size.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceSize {
    pub index: u32,
    pub id: u64,
    pub retained_size: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConstructorSummary {
    pub name: String,
    pub count: u64,
    pub self_size: u64,
    /// What the largest instance retains (0 when sizes were not computed).
    pub max_retained_size: u64,
    /// The instances that retain the most, largest first (up to 3).
    pub largest: Vec<InstanceSize>,
}

const LARGEST_KEPT: usize = 3;

/// The grouping key of a node.
pub fn group_name(graph: &HeapGraph, node: u32) -> &str {
    let kinds = graph.node_kinds;
    let kind = graph.node_type(node);
    let name = graph.node_name(node);
    if kind == kinds.object || kind == kinds.native {
        if name.is_empty() {
            "Object"
        } else {
            name
        }
    } else if kind == kinds.closure {
        "(closure)"
    } else if kind == kinds.string
        || kind == kinds.concatenated_string
        || kind == kinds.sliced_string
    {
        "(string)"
    } else if kind == kinds.array {
        "(array)"
    } else if kind == kinds.code {
        "(compiled code)"
    } else if kind == kinds.hidden {
        "(system)"
    } else {
        match graph.node_type_name(node) {
            "synthetic" => "(synthetic)",
            "number" => "(number)",
            "regexp" => "RegExp",
            "symbol" => "(symbol)",
            "bigint" => "(bigint)",
            "object shape" => "(object shape)",
            _ => "(other)",
        }
    }
}

/// Groups every strongly reachable node (every node when `sizes` is `None`) by constructor.
pub fn summarize(graph: &HeapGraph, sizes: Option<&RetainedSizes>) -> Vec<ConstructorSummary> {
    // Keyed by borrowed names: no String per node. A node's group depends only on its type and, for objects, its
    // name: both are cached by index (type, string) so the names are looked up once, not once a node.
    const UNSEEN: u32 = u32::MAX;
    let mut by_name: HashMap<&str, u32> = HashMap::new();
    let mut groups: Vec<ConstructorSummary> = Vec::new();
    let mut by_type = vec![UNSEEN; graph.snapshot.node_type_names.len()];
    let mut by_string = vec![UNSEEN; graph.strings().len()];
    let kinds = graph.node_kinds;
    for node in 0..graph.node_count() {
        // Synthetic nodes are the root and its groups: they "retain" everything and are no one's objects.
        if graph.node_type(node) == graph.node_kinds.synthetic {
            continue;
        }
        let retained = match sizes {
            Some(sizes) => match sizes.retained_size(node) {
                Some(retained) => retained,
                None => continue,
            },
            None => 0,
        };
        let kind = graph.node_type(node);
        let slot = if kind == kinds.object || kind == kinds.native {
            &mut by_string[graph.snapshot.node_name[node as usize] as usize]
        } else {
            &mut by_type[usize::from(kind)]
        };
        if *slot == UNSEEN {
            let name = group_name(graph, node);
            *slot = *by_name.entry(name).or_insert_with(|| {
                groups.push(ConstructorSummary {
                    name: name.to_owned(),
                    count: 0,
                    self_size: 0,
                    max_retained_size: 0,
                    largest: Vec::new(),
                });
                groups.len() as u32 - 1
            });
        }
        let group = &mut groups[*slot as usize];
        group.count += 1;
        group.self_size += graph.self_size(node);
        if sizes.is_some()
            && (group.largest.len() < LARGEST_KEPT
                || group
                    .largest
                    .last()
                    .is_some_and(|last| last.retained_size < retained))
        {
            let at = group
                .largest
                .partition_point(|kept| kept.retained_size >= retained);
            group.largest.insert(
                at,
                InstanceSize {
                    index: node,
                    id: graph.node_id(node),
                    retained_size: retained,
                },
            );
            group.largest.truncate(LARGEST_KEPT);
            group.max_retained_size = group.largest[0].retained_size;
        }
    }
    drop(by_string);
    let mut summary = groups;
    summary.sort_by(|a, b| {
        b.max_retained_size
            .cmp(&a.max_retained_size)
            .then(b.self_size.cmp(&a.self_size))
            .then(a.name.cmp(&b.name))
    });
    summary
}
