//! The object graph of a parsed snapshot: edges of a node by index (CSR), names, and which edges hold strongly.
//!
//! A snapshot already lists each node's edges contiguously, in node order, so a prefix sum of the edge counts
//! (`first_edge`, one `u32` per node) is all the forward index needed. Reverse edges (retainers) cost as much again
//! as the edges, so they are built only when asked for (`retainers`).
//!
//! "Strong" here is what keeps an object alive: not a `weak` edge, not the `weak_refs_keep_during_job` list (a
//! WeakRef deref'd in the current job holds its target only until the job ends), and not a `(Weak ...)` root
//! group. The synthetic root (node 0) reaches user roots (the global objects) through `shortcut` edges; elsewhere
//! a shortcut duplicates a real path and is not followed. A WeakMap's value is listed twice, from its key and from
//! the table, with the same name (`part of key (K @id) -> value (V @id) pair in WeakMap (table @id)`): only the
//! key's edge holds (an ephemeron lives as long as its key), so the table's is not followed.

use super::kind_column::KindColumn;
use super::snapshot::{HeapSnapshot, StringTable};
use std::ops::Range;

/// The type index of each edge type the analysis cares about (`u8::MAX` when the snapshot lacks it).
#[derive(Clone, Copy, Debug)]
pub struct EdgeKinds {
    pub context: u8,
    pub element: u8,
    pub property: u8,
    pub internal: u8,
    pub hidden: u8,
    pub shortcut: u8,
    pub weak: u8,
}

/// The node type indexes the analysis cares about (`u8::MAX` when absent).
#[derive(Clone, Copy, Debug)]
pub struct NodeKinds {
    pub hidden: u8,
    pub array: u8,
    pub string: u8,
    pub object: u8,
    pub code: u8,
    pub closure: u8,
    pub native: u8,
    pub synthetic: u8,
    pub concatenated_string: u8,
    pub sliced_string: u8,
}

pub struct HeapGraph {
    pub snapshot: HeapSnapshot,
    /// `first_edge[n]..first_edge[n + 1]` are node `n`'s edges.
    first_edge: Vec<u32>,
    pub edge_kinds: EdgeKinds,
    pub node_kinds: NodeKinds,
    /// String indexes of names that matter when deciding strength (`u32::MAX` when absent).
    keep_during_job_name: u32,
    /// Names of WeakMap key -> value edges, by string index, with the id of the key whose edge alone holds.
    ephemeron_keys: std::collections::HashMap<u32, u64>,
    /// One bit per edge: `is_strong`, worked out once (the searches ask it for every edge, some twice).
    strong: Vec<u64>,
    /// The snapshot's type columns, packed (taken out of the snapshot, whose own are left empty).
    edge_kind: KindColumn,
    node_kind: KindColumn,
}

/// The key's node id in `part of key (K @123) -> value (V @456) pair in WeakMap (table @789)`.
fn ephemeron_key_id(name: &str) -> Option<u64> {
    if !name.contains("pair in WeakMap") {
        return None;
    }
    let after_key = &name[name.find("part of key (")? + "part of key (".len()..];
    let close = after_key.find(')')?;
    let at = after_key[..close].rfind('@')?;
    after_key[at + 1..close].parse().ok()
}

/// Reverse edges: `edges[first[n]..first[n + 1]]` are the edge indexes that point at node `n`.
pub struct Retainers {
    first: Vec<u32>,
    edges: Vec<u32>,
}

impl Retainers {
    pub fn of(&self, node: u32) -> &[u32] {
        let node = node as usize;
        &self.edges[self.first[node] as usize..self.first[node + 1] as usize]
    }
}

fn kind_index(names: &[String], wanted: &str) -> u8 {
    names
        .iter()
        .position(|name| name == wanted)
        .and_then(|index| u8::try_from(index).ok())
        .unwrap_or(u8::MAX)
}

impl HeapGraph {
    pub fn new(mut snapshot: HeapSnapshot) -> Self {
        let started = std::time::Instant::now();
        // The per-node edge counts become the CSR offsets in place: one column less at the peak.
        let mut first_edge = std::mem::take(&mut snapshot.node_edge_count);
        let mut total = 0u32;
        for slot in &mut first_edge {
            let count = *slot;
            *slot = total;
            // The parser checked that the counts add up to the edge count, which fits in u32.
            total += count;
        }
        first_edge.reserve_exact(1);
        first_edge.push(total);
        let edges = &snapshot.edge_type_names;
        let edge_kinds = EdgeKinds {
            context: kind_index(edges, "context"),
            element: kind_index(edges, "element"),
            property: kind_index(edges, "property"),
            internal: kind_index(edges, "internal"),
            hidden: kind_index(edges, "hidden"),
            shortcut: kind_index(edges, "shortcut"),
            weak: kind_index(edges, "weak"),
        };
        let nodes = &snapshot.node_type_names;
        let node_kinds = NodeKinds {
            hidden: kind_index(nodes, "hidden"),
            array: kind_index(nodes, "array"),
            string: kind_index(nodes, "string"),
            object: kind_index(nodes, "object"),
            code: kind_index(nodes, "code"),
            closure: kind_index(nodes, "closure"),
            native: kind_index(nodes, "native"),
            synthetic: kind_index(nodes, "synthetic"),
            concatenated_string: kind_index(nodes, "concatenated string"),
            sliced_string: kind_index(nodes, "sliced string"),
        };
        // One pass over the strings, by bytes: a WeakMap pair's name is long, most strings are not.
        let mut keep_during_job_name = u32::MAX;
        let mut ephemeron_keys = std::collections::HashMap::new();
        for index in 0..snapshot.strings.len() as u32 {
            let bytes = snapshot.strings.bytes(index);
            if bytes == b"weak_refs_keep_during_job" && keep_during_job_name == u32::MAX {
                keep_during_job_name = index;
            } else if bytes.len() > 40 {
                if let Some(key) = ephemeron_key_id(snapshot.strings.get(index)) {
                    ephemeron_keys.insert(index, key);
                }
            }
        }
        let packing = std::time::Instant::now();
        let edge_kind = KindColumn::new(
            std::mem::take(&mut snapshot.edge_type),
            snapshot.edge_type_names.len(),
        );
        let node_kind = KindColumn::new(
            std::mem::take(&mut snapshot.node_type),
            snapshot.node_type_names.len(),
        );
        super::profile::profile("  kind columns", packing);
        let mut graph = Self {
            snapshot,
            first_edge,
            edge_kinds,
            node_kinds,
            keep_during_job_name,
            ephemeron_keys,
            strong: Vec::new(),
            edge_kind,
            node_kind,
        };
        // Two halves on two threads: each edge is looked at once, with its target's type and name.
        let mut strong = super::memory::filled(graph.edge_count().div_ceil(64), 0u64);
        let split = strong.len() / 2;
        let (low, high) = strong.split_at_mut(split);
        std::thread::scope(|scope| {
            let graph = &graph;
            scope.spawn(move || graph.fill_strong(low, 0));
            graph.fill_strong(high, split);
        });
        graph.strong = strong;
        super::profile::profile("graph", started);
        graph
    }

    pub fn node_count(&self) -> u32 {
        self.node_kind.len() as u32
    }

    pub fn edge_count(&self) -> usize {
        self.edge_kind.len()
    }

    pub fn strings(&self) -> &StringTable {
        &self.snapshot.strings
    }

    pub fn edges(&self, node: u32) -> Range<u32> {
        self.first_edge[node as usize]..self.first_edge[node as usize + 1]
    }

    /// The node an edge comes from (binary search: for the few edges of a printed path).
    pub fn edge_owner(&self, edge: u32) -> u32 {
        (self.first_edge.partition_point(|&first| first <= edge) - 1) as u32
    }

    pub fn edge_to(&self, edge: u32) -> u32 {
        self.snapshot.edge_to[edge as usize]
    }

    pub fn edge_type(&self, edge: u32) -> u8 {
        self.edge_kind.get(edge as usize)
    }

    pub fn edge_type_name(&self, edge: u32) -> &str {
        &self.snapshot.edge_type_names[usize::from(self.edge_type(edge))]
    }

    /// Whether the edge's `name_or_index` is an index (element and hidden edges) rather than a string.
    pub fn edge_is_indexed(&self, edge: u32) -> bool {
        let kind = self.edge_type(edge);
        kind == self.edge_kinds.element || kind == self.edge_kinds.hidden
    }

    pub fn edge_index(&self, edge: u32) -> u32 {
        self.snapshot.edge_name_or_index[edge as usize]
    }

    /// The edge's name, or its index in decimal.
    pub fn edge_name(&self, edge: u32) -> String {
        let value = self.edge_index(edge);
        if self.edge_is_indexed(edge) {
            value.to_string()
        } else {
            self.strings().get(value).to_owned()
        }
    }

    pub fn node_type(&self, node: u32) -> u8 {
        self.node_kind.get(node as usize)
    }

    pub fn node_type_name(&self, node: u32) -> &str {
        &self.snapshot.node_type_names[usize::from(self.node_type(node))]
    }

    pub fn node_name(&self, node: u32) -> &str {
        self.strings().get(self.snapshot.node_name[node as usize])
    }

    pub fn node_id(&self, node: u32) -> u64 {
        self.snapshot.node_id.get(node as usize)
    }

    pub fn self_size(&self, node: u32) -> u64 {
        u64::from(self.snapshot.node_self_size[node as usize])
    }

    /// Whether following `edge` (from `from`, the node that owns it) keeps its target alive.
    #[inline]
    pub fn is_strong(&self, from: u32, edge: u32) -> bool {
        debug_assert!(self.edges(from).contains(&edge));
        self.strong[edge as usize / 64] & (1 << (edge % 64)) != 0
    }

    /// Sets the bits of the strong edges among edges `64 * first_word..`, one word of `words` per 64.
    fn fill_strong(&self, words: &mut [u64], first_word: usize) {
        let edge_count = self.edge_count();
        let start = (first_word * 64).min(edge_count) as u32;
        let end = ((first_word + words.len()) * 64).min(edge_count) as u32;
        if start >= end {
            return;
        }
        let mut from = self.edge_owner(start);
        let mut edge = start;
        while edge < end {
            let node_end = self.first_edge[from as usize + 1].min(end);
            while edge < node_end {
                if self.is_strong_uncached(from, edge) {
                    words[edge as usize / 64 - first_word] |= 1 << (edge % 64);
                }
                edge += 1;
            }
            from += 1;
        }
    }

    fn is_strong_uncached(&self, from: u32, edge: u32) -> bool {
        let kind = self.edge_type(edge);
        if kind == self.edge_kinds.weak {
            return false;
        }
        if kind == self.edge_kinds.shortcut && from != 0 {
            return false;
        }
        if !self.edge_is_indexed(edge) {
            let name = self.edge_index(edge);
            if name == self.keep_during_job_name {
                return false;
            }
            if let Some(&key) = (!self.ephemeron_keys.is_empty())
                .then(|| self.ephemeron_keys.get(&name))
                .flatten()
            {
                return self.node_id(from) == key;
            }
        }
        let to = self.edge_to(edge);
        !(self.node_type(to) == self.node_kinds.synthetic
            && self.node_name(to).starts_with("(Weak"))
    }

    /// Builds the reverse edges (all of them, strong or not).
    pub fn retainers(&self) -> Retainers {
        let node_count = self.node_count() as usize;
        let mut first = vec![0u32; node_count + 1];
        for &to in &self.snapshot.edge_to {
            first[to as usize + 1] += 1;
        }
        for index in 0..node_count {
            first[index + 1] += first[index];
        }
        let mut fill = first.clone();
        let mut edges = vec![0u32; self.edge_count()];
        for (edge, &to) in self.snapshot.edge_to.iter().enumerate() {
            let slot = &mut fill[to as usize];
            edges[*slot as usize] = edge as u32;
            *slot += 1;
        }
        Retainers { first, edges }
    }

    /// Instances of the class or constructor `name` (objects and native objects); when there are none, functions
    /// of that name, so `--find onRequest` finds a leaked handler.
    pub fn find_by_name(&self, name: &str) -> Vec<u32> {
        let strings = self.strings();
        let wanted: Vec<u32> = (0..strings.len() as u32)
            .filter(|&index| strings.bytes(index) == name.as_bytes())
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let kinds = self.node_kinds;
        let named = |node: u32| wanted.contains(&self.snapshot.node_name[node as usize]);
        let instances: Vec<u32> = (0..self.node_count())
            .filter(|&node| {
                let kind = self.node_type(node);
                (kind == kinds.object || kind == kinds.native) && named(node)
            })
            .collect();
        if !instances.is_empty() {
            return instances;
        }
        (0..self.node_count())
            .filter(|&node| self.node_type(node) == kinds.closure && named(node))
            .collect()
    }

    pub fn find_by_id(&self, id: u64) -> Option<u32> {
        self.snapshot.node_id.position(id).map(|index| index as u32)
    }
}

#[cfg(test)]
mod ephemeron_tests {
    use super::ephemeron_key_id;

    #[test]
    fn weakmap_pair_names_give_the_key_id() {
        let name = "3 / part of key (K @6167) -> value (V @84265) pair in WeakMap (table @84267)";
        assert_eq!(ephemeron_key_id(name), Some(6167));
        assert_eq!(
            ephemeron_key_id("part of key (K @x) -> value (V @1) pair in WeakMap"),
            None
        );
        assert_eq!(ephemeron_key_id("a plain property"), None);
    }
}
