//! What grew between two snapshots of one process, by constructor.
//!
//! Groups are matched by name (`summary::group_name`), so the diff works for snapshots of different processes too.
//! Node ids are stable within one process, so objects of the second snapshot whose id the first lacks are counted
//! as new: for two snapshots of the same process that is what was allocated in between and survived. No dominator
//! tree is built (sizes here are self sizes), which keeps a diff to two parses and two passes.

use super::graph::HeapGraph;
use super::summary::{group_name, summarize};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConstructorGrowth {
    pub name: String,
    pub count_before: u64,
    pub count_after: u64,
    pub size_before: u64,
    pub size_after: u64,
    /// `countAfter - countBefore`.
    pub count_delta: i64,
    /// `sizeAfter - sizeBefore`, in bytes.
    pub size_delta: i64,
    /// Objects of the second snapshot whose node id the first lacks.
    pub new_count: u64,
    pub new_size: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapDiff {
    pub node_count_before: u64,
    pub node_count_after: u64,
    pub size_before: u64,
    pub size_after: u64,
    /// Constructors whose count or size grew, largest size growth first.
    pub grown: Vec<ConstructorGrowth>,
}

/// Compares two snapshots (`before`, `after`); only constructors that grew are listed.
pub fn diff_snapshots(before: &HeapGraph, after: &HeapGraph) -> HeapDiff {
    let old = summarize(before, None);
    let new = summarize(after, None);
    let mut old_ids: Vec<u64> = before.snapshot.node_id.iter().collect();
    old_ids.sort_unstable();
    let mut fresh: HashMap<&str, (u64, u64)> = HashMap::new();
    for node in 0..after.node_count() {
        if old_ids.binary_search(&after.node_id(node)).is_err() {
            let entry = fresh.entry(group_name(after, node)).or_default();
            entry.0 += 1;
            entry.1 += after.self_size(node);
        }
    }
    let old_by_name: HashMap<&str, (u64, u64)> = old
        .iter()
        .map(|group| (group.name.as_str(), (group.count, group.self_size)))
        .collect();
    let mut grown: Vec<ConstructorGrowth> = new
        .iter()
        .filter_map(|group| {
            let (count_before, size_before) = old_by_name
                .get(group.name.as_str())
                .copied()
                .unwrap_or_default();
            let (new_count, new_size) = fresh.get(group.name.as_str()).copied().unwrap_or_default();
            let growth = ConstructorGrowth {
                name: group.name.clone(),
                count_before,
                count_after: group.count,
                size_before,
                size_after: group.self_size,
                count_delta: group.count as i64 - count_before as i64,
                size_delta: group.self_size as i64 - size_before as i64,
                new_count,
                new_size,
            };
            (growth.count_delta > 0 || growth.size_delta > 0).then_some(growth)
        })
        .collect();
    grown.sort_by(|a, b| b.size_delta.cmp(&a.size_delta).then(a.name.cmp(&b.name)));
    let total = |summary: &[super::summary::ConstructorSummary]| {
        summary.iter().map(|group| group.self_size).sum()
    };
    HeapDiff {
        node_count_before: u64::from(before.node_count()),
        node_count_after: u64::from(after.node_count()),
        size_before: total(&old),
        size_after: total(&new),
        grown,
    }
}
