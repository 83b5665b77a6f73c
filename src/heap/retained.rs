//! Retained sizes, from the dominator tree of the strong graph rooted at the synthetic root.
//!
//! An object's retained size is what a GC would free if it went: its own size plus everything it dominates (every
//! node whose every strong path from the root passes through it). The dominators come from Lengauer–Tarjan (the
//! simple variant with path compression, O(E log N)), made iterative so a deep heap cannot overflow the stack.
//! It works in depth-first numbering: a node's immediate dominator is a DFS-tree ancestor, so it has a smaller
//! number, and one pass in reverse numbering order sums the sizes bottom-up.
//!
//! Memory: nine `u32` per reachable node and one per strong edge, freed before the sizes are returned; the result
//! keeps one `u32` and one `u64` per node. Nodes the root cannot reach strongly (garbage, or held only weakly) get
//! no retained size.

use super::graph::HeapGraph;

const NONE: u32 = u32::MAX;

/// Retained size and immediate dominator of every node reachable from the root.
pub struct RetainedSizes {
    /// Node index → DFS number (`NONE` when unreachable).
    number: Vec<u32>,
    /// DFS number → node index.
    node: Vec<u32>,
    /// DFS number → immediate dominator's DFS number.
    idom: Vec<u32>,
    /// DFS number → retained size in bytes.
    retained: Vec<u64>,
}

impl RetainedSizes {
    pub fn compute(graph: &HeapGraph) -> Self {
        let (number, node, parent) = depth_first(graph);
        let count = node.len();
        let predecessors = Predecessors::new(graph, &number, &node);
        let idom = lengauer_tarjan(count, &parent, &predecessors);
        drop(predecessors);
        drop(parent);
        let mut retained: Vec<u64> = node.iter().map(|&n| graph.self_size(n)).collect();
        for k in (1..count).rev() {
            let size = retained[k];
            retained[idom[k] as usize] += size;
        }
        Self {
            number,
            node,
            idom,
            retained,
        }
    }

    /// Bytes freed if `node` went; `None` when the root does not reach it strongly.
    pub fn retained_size(&self, node: u32) -> Option<u64> {
        let k = *self.number.get(node as usize)?;
        (k != NONE).then(|| self.retained[k as usize])
    }

    /// The node that must go for `node` to go (the root dominates itself).
    pub fn immediate_dominator(&self, node: u32) -> Option<u32> {
        let k = *self.number.get(node as usize)?;
        (k != NONE).then(|| self.node[self.idom[k as usize] as usize])
    }

    pub fn is_reachable(&self, node: u32) -> bool {
        self.number.get(node as usize).is_some_and(|&k| k != NONE)
    }
}

/// Iterative DFS over strong edges: (node → number, number → node, number → parent number).
fn depth_first(graph: &HeapGraph) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let node_count = graph.node_count() as usize;
    let mut number = vec![NONE; node_count];
    let mut node = Vec::with_capacity(node_count);
    let mut parent = Vec::with_capacity(node_count);
    // (node, next edge to look at)
    let mut stack: Vec<(u32, u32)> = Vec::new();
    number[0] = 0;
    node.push(0);
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
                let k = node.len() as u32;
                number[to as usize] = k;
                node.push(to);
                parent.push(number[from as usize]);
                stack.push((to, graph.edges(to).start));
                descended = true;
                break;
            }
        }
        if !descended {
            stack.pop();
        }
    }
    (number, node, parent)
}

/// Strong predecessors of each reachable node, in DFS numbering.
struct Predecessors {
    first: Vec<u32>,
    from: Vec<u32>,
}

impl Predecessors {
    fn new(graph: &HeapGraph, number: &[u32], node: &[u32]) -> Self {
        let count = node.len();
        let mut first = vec![0u32; count + 1];
        let each_strong = |visit: &mut dyn FnMut(u32, u32)| {
            for (k, &from) in node.iter().enumerate() {
                for edge in graph.edges(from) {
                    let to = number[graph.edge_to(edge) as usize];
                    if to != NONE && graph.is_strong(from, edge) {
                        visit(k as u32, to);
                    }
                }
            }
        };
        each_strong(&mut |_, to| first[to as usize + 1] += 1);
        for k in 0..count {
            first[k + 1] += first[k];
        }
        let mut fill = first.clone();
        let mut from = vec![0u32; first[count] as usize];
        each_strong(&mut |source, to| {
            let slot = &mut fill[to as usize];
            from[*slot as usize] = source;
            *slot += 1;
        });
        Self { first, from }
    }

    fn of(&self, k: u32) -> &[u32] {
        &self.from[self.first[k as usize] as usize..self.first[k as usize + 1] as usize]
    }
}

fn lengauer_tarjan(count: usize, parent: &[u32], predecessors: &Predecessors) -> Vec<u32> {
    let mut semi: Vec<u32> = (0..count as u32).collect();
    let mut label: Vec<u32> = (0..count as u32).collect();
    let mut ancestor = vec![NONE; count];
    let mut idom = vec![NONE; count];
    let mut bucket_head = vec![NONE; count];
    let mut bucket_next = vec![NONE; count];
    let mut chain: Vec<u32> = Vec::new();

    let mut eval = |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32]| -> u32 {
        if ancestor[v as usize] == NONE {
            return v;
        }
        // Path compression, iteratively: collect the chain up to the forest root's child, then fold it down.
        chain.clear();
        let mut x = v;
        while ancestor[ancestor[x as usize] as usize] != NONE {
            chain.push(x);
            x = ancestor[x as usize];
        }
        while let Some(x) = chain.pop() {
            let a = ancestor[x as usize];
            if semi[label[a as usize] as usize] < semi[label[x as usize] as usize] {
                label[x as usize] = label[a as usize];
            }
            ancestor[x as usize] = ancestor[a as usize];
        }
        label[v as usize]
    };

    for w in (1..count as u32).rev() {
        for &v in predecessors.of(w) {
            let u = eval(v, &mut ancestor, &mut label, &semi);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        let s = semi[w as usize] as usize;
        bucket_next[w as usize] = bucket_head[s];
        bucket_head[s] = w;
        let p = parent[w as usize];
        ancestor[w as usize] = p;
        let mut v = bucket_head[p as usize];
        bucket_head[p as usize] = NONE;
        while v != NONE {
            let u = eval(v, &mut ancestor, &mut label, &semi);
            idom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                p
            };
            v = bucket_next[v as usize];
        }
    }
    for w in 1..count {
        if idom[w] != semi[w] {
            idom[w] = idom[idom[w] as usize];
        }
    }
    if count > 0 {
        idom[0] = 0;
    }
    idom
}
