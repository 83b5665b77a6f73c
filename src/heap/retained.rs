//! Retained sizes, from the dominator tree of the strong graph rooted at the synthetic root.
//!
//! An object's retained size is what a GC would free if it went: its own size plus everything it dominates (every
//! node whose every strong path from the root passes through it). The dominators come from Semi-NCA (Georgiadis):
//! Lengauer–Tarjan's semidominators (simple variant, path compression, made iterative so a deep heap cannot
//! overflow the stack), then each immediate dominator as the nearest common ancestor of the DFS parent and the
//! semidominator, found by climbing the dominators already known. No buckets, fewer arrays than classic LT. It
//! works in depth-first numbering: a node's immediate dominator is a DFS-tree ancestor, so it has a smaller
//! number, and one pass in reverse numbering order sums the sizes bottom-up.
//!
//! Memory: at the peak, five `u32` per reachable node and one per strong edge, freed before the sizes are
//! returned; the result keeps two `u32` and one `u64` per node. Nodes the root cannot reach strongly (garbage, or
//! held only weakly) get no retained size.

use super::graph::HeapGraph;
use super::memory::{filled, with_capacity};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

const NONE: u32 = u32::MAX;

/// Predecessor entries no longer needed that are given back to the system in one go (16 MiB).
const RELEASE_PREDECESSORS_EVERY: usize = 4 << 20;

/// Retained size and immediate dominator of every node reachable from the root.
pub struct RetainedSizes {
    /// Node index → DFS number (`NONE` when unreachable).
    number: Vec<u32>,
    /// DFS number → immediate dominator's DFS number.
    idom: Vec<u32>,
    /// DFS number → retained size in bytes.
    retained: Vec<u64>,
}

impl RetainedSizes {
    pub fn compute(graph: &HeapGraph) -> Self {
        Self::compute_then(graph, || {})
    }

    /// `compute`, calling `before_peak` before the memory-hungry part (the caller's other work can end first).
    pub fn compute_then(graph: &HeapGraph, before_peak: impl FnOnce()) -> Self {
        let at = std::time::Instant::now();
        let (number, parent) = depth_first(graph, true);
        super::profile::profile("  dfs", at);
        let count = parent.len();
        let at = std::time::Instant::now();
        let predecessors = Predecessors::new(graph, &number, &parent, before_peak);
        super::profile::profile("  predecessors", at);
        // The numbering is not needed while the dominators are found, which is the peak: numbering again after
        // (the same search, so the same numbers) costs less than keeping it.
        drop(number);
        let at = std::time::Instant::now();
        let idom = semi_nca(parent, predecessors);
        super::profile::profile("  semi-nca", at);
        let at = std::time::Instant::now();
        let (number, _) = depth_first(graph, false);
        super::profile::profile("  dfs again", at);
        let at = std::time::Instant::now();
        let mut retained = filled(count, 0u64);
        for (node, &k) in number.iter().enumerate() {
            if k != NONE {
                retained[k as usize] = graph.self_size(node as u32);
            }
        }
        for k in (1..count).rev() {
            let size = retained[k];
            retained[idom[k] as usize] += size;
        }
        super::profile::profile("  sums", at);
        Self {
            number,
            idom,
            retained,
        }
    }

    /// Bytes freed if `node` went; `None` when the root does not reach it strongly.
    pub fn retained_size(&self, node: u32) -> Option<u64> {
        let k = *self.number.get(node as usize)?;
        (k != NONE).then(|| self.retained[k as usize])
    }

    /// The node that must go for `node` to go (the root dominates itself). A scan of all nodes: for a few.
    pub fn immediate_dominator(&self, node: u32) -> Option<u32> {
        let k = *self.number.get(node as usize)?;
        if k == NONE {
            return None;
        }
        let dominator = self.idom[k as usize];
        self.number
            .iter()
            .position(|&number| number == dominator)
            .map(|index| index as u32)
    }

    pub fn is_reachable(&self, node: u32) -> bool {
        self.number.get(node as usize).is_some_and(|&k| k != NONE)
    }
}

/// Iterative DFS over strong edges: (node → number, number → parent number when `with_parent`).
fn depth_first(graph: &HeapGraph, with_parent: bool) -> (Vec<u32>, Vec<u32>) {
    let node_count = graph.node_count() as usize;
    let mut number = filled(node_count, NONE);
    let mut parent = with_capacity(if with_parent { node_count } else { 0 });
    let mut count = 1u32;
    // (node, next edge to look at)
    let mut stack: Vec<(u32, u32)> = Vec::new();
    number[0] = 0;
    parent.push(0);
    stack.push((0, graph.edges(0).start));
    while let Some(top) = stack.last_mut() {
        let (from, next) = *top;
        let end = graph.edges(from).end;
        let mut edge = next;
        let mut descended = false;
        while edge < end {
            let to = graph.edge_to(edge);
            let current = edge;
            edge += 1;
            if number[to as usize] == NONE && graph.is_strong(from, current) {
                top.1 = edge;
                number[to as usize] = count;
                count += 1;
                if with_parent {
                    parent.push(number[from as usize]);
                }
                stack.push((to, graph.edges(to).start));
                descended = true;
                break;
            }
        }
        if !descended {
            stack.pop();
        }
    }
    parent.shrink_to_fit();
    (number, parent)
}

/// Strong predecessors of each reachable node but its DFS parent, in DFS numbering: `from[first[k]..first[k + 1]]`.
/// (The parent is every node's predecessor; most nodes have no other, and the search starts from it anyway.)
/// `from` is written by two threads at once, each to slots of its own: relaxed atomics, which compile to plain
/// loads and stores.
struct Predecessors {
    first: Vec<u32>,
    from: Vec<AtomicU32>,
}

/// Calls `visit(source, target)`, both by DFS number, for each strong edge of the nodes in `nodes` (node indexes,
/// in order, edges read front to back) from a reachable node to a reachable node other than from its DFS parent.
fn for_each_predecessor(
    graph: &HeapGraph,
    number: &[u32],
    parent: &[u32],
    nodes: Range<usize>,
    mut visit: impl FnMut(u32, u32),
) {
    for node in nodes {
        let source = number[node];
        if source == NONE {
            continue;
        }
        let node = node as u32;
        for edge in graph.edges(node) {
            let to = number[graph.edge_to(edge) as usize];
            if to != NONE && parent[to as usize] != source && graph.is_strong(node, edge) {
                visit(source, to);
            }
        }
    }
}

impl Predecessors {
    /// On two threads, once `before_peak` has returned (the caller's other work is done and its thread free): the
    /// nodes are cut in two halves of about as many edges, each half counted and then filled by a thread of its own.
    /// A target's predecessors from the low half come first in its range, then the high half's.
    fn new(graph: &HeapGraph, number: &[u32], parent: &[u32], before_peak: impl FnOnce()) -> Self {
        let count = parent.len();
        before_peak();
        let node_count = number.len();
        let half = graph.edge_count() as u32 / 2;
        let cut = (graph.edge_owner(half) as usize).min(node_count);
        let (low_nodes, high_nodes) = (0..cut, cut..node_count);
        let mut low = filled(count + 1, 0u32);
        let mut high = filled(count + 1, 0u32);
        std::thread::scope(|scope| {
            let low = &mut low;
            let nodes = low_nodes.clone();
            scope.spawn(move || {
                for_each_predecessor(graph, number, parent, nodes, |_, to| low[to as usize] += 1);
            });
            for_each_predecessor(graph, number, parent, high_nodes.clone(), |_, to| {
                high[to as usize] += 1;
            });
        });
        // The ends of each range's two parts, then filled back to front: `low[k]` ends at the range's start.
        let mut total = 0u32;
        for (low, high) in low[..count].iter_mut().zip(&mut high[..count]) {
            total += *low;
            *low = total;
            total += *high;
            *high = total;
        }
        low[count] = total;
        let mut from: Vec<AtomicU32> = with_capacity(total as usize);
        from.resize_with(total as usize, || AtomicU32::new(0));
        std::thread::scope(|scope| {
            let (low, from) = (&mut low, &from);
            scope.spawn(move || {
                for_each_predecessor(graph, number, parent, low_nodes, |source, to| {
                    let slot = &mut low[to as usize];
                    *slot -= 1;
                    from[*slot as usize].store(source, Relaxed);
                });
            });
            for_each_predecessor(graph, number, parent, high_nodes, |source, to| {
                let slot = &mut high[to as usize];
                *slot -= 1;
                from[*slot as usize].store(source, Relaxed);
            });
        });
        Self { first: low, from }
    }
}

/// Immediate dominators (by DFS number) from the DFS parents and the strong predecessors.
fn semi_nca(parent: Vec<u32>, predecessors: Predecessors) -> Vec<u32> {
    let count = parent.len();
    let Predecessors {
        mut first,
        mut from,
    } = predecessors;
    // This is the peak of the analysis, so what can wait does. The forest is only ever read for nodes already
    // processed, which wrote it: it starts as untouched zero pages (not prefaulted) and fills from the top as the
    // loop goes down, while the predecessors of the nodes done are given back from `from`'s end.
    // `forest[x] = [ancestor, label]`, side by side since they are read together (one cache miss, not two):
    // the link-eval forest: nodes numbered `linked` and up are linked (processed in reverse order), and their
    // ancestor starts as the DFS parent when linked, then is compressed; the label is the least semidominator
    // number on x's compressed forest path (x's own once processed).
    let mut forest: Vec<[u32; 2]> = vec![[0; 2]; count];
    let mut idom = parent;
    let mut chain: Vec<u32> = Vec::new();
    for w in (1..count).rev() {
        // Nodes above `w` are linked; `w` is not yet.
        let linked = w as u32 + 1;
        let mut semi = idom[w];
        for v in &from[first[w] as usize..first[w + 1] as usize] {
            let v = v.load(Relaxed);
            let value = if v < linked {
                // Not yet processed: its semidominator is still itself.
                v
            } else {
                chain.clear();
                let mut x = v;
                while forest[x as usize][0] >= linked {
                    chain.push(x);
                    x = forest[x as usize][0];
                }
                // `x` is the last linked node below a forest root: fold the path down from there.
                while let Some(y) = chain.pop() {
                    let [ancestor, label] = forest[y as usize];
                    let above = forest[ancestor as usize];
                    forest[y as usize] = [above[0], label.min(above[1])];
                }
                forest[v as usize][1]
            };
            if value < semi {
                semi = value;
            }
        }
        forest[w] = [idom[w], semi];
        // `first[w + 1]` is not read again (lower nodes' ranges end at most at `first[w]`): keep `semi` there.
        first[w + 1] = semi;
        // The ranges of the nodes done are the end of `from`: give them back now and then.
        from.truncate(first[w] as usize);
        if from.capacity() - from.len() >= RELEASE_PREDECESSORS_EVERY {
            from.shrink_to_fit();
        }
    }
    drop(forest);
    drop(from);
    for w in 1..count {
        let semi = first[w + 1];
        let mut dominator = idom[w];
        while dominator > semi {
            dominator = idom[dominator as usize];
        }
        idom[w] = dominator;
    }
    if count > 0 {
        idom[0] = 0;
    }
    idom
}
