//! Retainer paths: the shortest strong path from the GC roots to an object, told in words.
//!
//! One breadth-first search from the synthetic root over strong edges (see `graph::HeapGraph::is_strong`), with a
//! bitset for the visited set and one parent edge per node, serves every target at once and stops when all are
//! reached. Each BFS layer is expanded in two passes, first over the edges a reader understands (properties,
//! elements, closure variables) and then over V8's `internal`/`hidden` ones, so among equally short paths the
//! last step prefers a named reference. References that match the caller's patterns (`reference_patterns`) are
//! not followed: an object reachable only through them gets no path, unless a module's scope they alone lead to
//! holds it (see `ModuleScopes`).
//!
//! Naming follows what a user wrote, not V8's internals: a closure shows its function name; a `context` edge is
//! the captured variable's name; a `hidden` slot of a Context (how a test file's module-level `const` shows under
//! vitest) is named from the Context's ScopeInfo, whose k-th string is slot k's name. A step into the backing
//! table of a Map, Set or WeakMap is called an entry of it. Limits: the ScopeInfo lookup relies on V8 11–12's
//! layout (names as the `hidden` string edges of the ScopeInfo, in slot order) and falls back to `slot k`.

use super::graph::HeapGraph;
use super::reference_patterns::SkippedReferences;
use super::retained::RetainedSizes;
use serde::Serialize;

/// One object, as a report shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapNodeInfo {
    /// The node's index in the snapshot (stable within one file only).
    pub index: u32,
    /// V8's node id (stable across snapshots of one process).
    pub id: u64,
    /// V8's node type: `object`, `closure`, `array`, `synthetic`, ...
    #[serde(rename = "type")]
    pub node_type: String,
    /// Constructor or class name for objects, function name for closures, text for strings.
    pub name: String,
    /// Words for a report: `App instance`, `function onRequest`, `Array`, `Context`, ...
    pub label: String,
    pub self_size: u64,
    /// `None` when not strongly reachable (or sizes were not computed).
    pub retained_size: Option<u64>,
}

/// One reference of a path: `holder` refers to the next object through `edge`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetainerStep {
    pub holder: HeapNodeInfo,
    /// V8's edge type: `property`, `element`, `context`, `internal`, `hidden`, `shortcut`.
    pub edge_type: String,
    /// The property or variable name, or the index in decimal.
    pub edge_name: String,
    /// Words for a report: `App.server`, `[0]`, `variable app`, `Map entry`, ...
    pub edge_label: String,
    /// The reference is one of V8's internals rather than something the program wrote.
    pub is_internal: bool,
}

/// The shortest strong path from the root to `target`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetainerPath {
    /// What the path starts from, in words: `global object`, `(Handle scope)`, ...
    pub root: String,
    pub steps: Vec<RetainerStep>,
    pub target: HeapNodeInfo,
}

struct Bitset(Vec<u64>);

impl Bitset {
    fn new(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    /// Sets the bit; returns whether it was clear.
    fn insert(&mut self, index: u32) -> bool {
        let word = &mut self.0[index as usize / 64];
        let bit = 1u64 << (index % 64);
        let was_clear = *word & bit == 0;
        *word |= bit;
        was_clear
    }

    fn contains(&self, index: u32) -> bool {
        self.0[index as usize / 64] & (1u64 << (index % 64)) != 0
    }
}

const NO_EDGE: u32 = u32::MAX;
/// The parent "edge" of a module scope the search starts from (see `module_scopes`).
const MODULE_SCOPE: u32 = u32::MAX - 1;

/// The index of a string in the snapshot's table, if it is there.
fn string_index(graph: &HeapGraph, text: &str) -> Option<u32> {
    let strings = graph.strings();
    (0..strings.len() as u32).find(|&index| strings.bytes(index) == text.as_bytes())
}

/// Tells a module's scope: a Context right under a NativeContext that holds variables, a module's top-level ones (a
/// test file's `const servers = []`; under vitest and jest a module wrapper's function scope). An `await`'s context
/// sits there too, with no variable: its suspended function is not the module's. Limit: a function made at the top
/// level of a module that has no scope of its own (its functions capture none of its variables) looks the same.
struct ModuleScopes {
    context: u32,
    native_context: u32,
    previous: u32,
    /// A closure's internal reference to the scope it was made in.
    closure_context: u32,
}

impl ModuleScopes {
    fn new(graph: &HeapGraph) -> Option<Self> {
        Some(Self {
            context: string_index(graph, "system / Context")?,
            native_context: string_index(graph, "system / NativeContext")?,
            previous: string_index(graph, "previous")?,
            closure_context: string_index(graph, "context")?,
        })
    }

    /// A step along the lexical scopes of the functions the runner holds: from a function to the scope it was made
    /// in, from a scope to its enclosing one or to a function it holds. Never into an object: a library's closure
    /// made at a module's top level (an object pool's `head`/`tail`) looks like a module scope, and what the test's
    /// objects hold is not the test file's module.
    fn is_lexical_step(&self, graph: &HeapGraph, node: u32, edge: u32, to: u32) -> bool {
        let kinds = graph.edge_kinds;
        let edge_type = graph.edge_type(edge);
        if graph.node_type(node) == graph.node_kinds.closure {
            return edge_type == kinds.internal && graph.edge_index(edge) == self.closure_context;
        }
        if graph.snapshot.node_name[node as usize] != self.context {
            return false;
        }
        (edge_type == kinds.internal && graph.edge_index(edge) == self.previous)
            || ((edge_type == kinds.context || edge_type == kinds.hidden)
                && graph.node_type(to) == graph.node_kinds.closure)
    }

    fn contains(&self, graph: &HeapGraph, node: u32) -> bool {
        let names = &graph.snapshot.node_name;
        let kinds = graph.edge_kinds;
        names[node as usize] == self.context
            && graph.edges(node).any(|edge| {
                graph.edge_type(edge) == kinds.internal
                    && graph.edge_index(edge) == self.previous
                    && names[graph.edge_to(edge) as usize] == self.native_context
            })
            && graph.edges(node).any(|edge| {
                let kind = graph.edge_type(edge);
                kind == kinds.context || kind == kinds.hidden
            })
    }

    /// The module scopes that only ignored references lead to: searched from `starts` (what they point at) along
    /// lexical scopes (see `is_lexical_step`) not `reached` yet, each scope found ending its branch (what it holds is
    /// the module's).
    fn behind(&self, graph: &HeapGraph, starts: &[u32], reached: &Bitset) -> Vec<u32> {
        let mut seen = Bitset::new(graph.node_count() as usize);
        let mut stack: Vec<u32> = starts
            .iter()
            .copied()
            .filter(|&node| !reached.contains(node) && seen.insert(node))
            .collect();
        let mut found = Vec::new();
        while let Some(node) = stack.pop() {
            if self.contains(graph, node) {
                found.push(node);
                continue;
            }
            for edge in graph.edges(node) {
                let to = graph.edge_to(edge);
                if graph.is_strong(node, edge)
                    && self.is_lexical_step(graph, node, edge, to)
                    && !reached.contains(to)
                    && seen.insert(to)
                {
                    stack.push(to);
                }
            }
        }
        found
    }
}

/// The state of one breadth-first search: what it reached, and how.
struct Search<'a> {
    graph: &'a HeapGraph,
    parent_edge: Vec<u32>,
    visited: Bitset,
    wanted: Bitset,
    /// Targets not reached yet (unused when every node is searched for).
    remaining: usize,
    find_all: bool,
    /// What the ignored references pointed at, where the search did not go.
    skipped_to: Vec<u32>,
}

impl Search<'_> {
    /// Starts `node` with `parent`; returns whether every target is now reached.
    fn reach(&mut self, node: u32, parent: u32) -> bool {
        self.visited.insert(node);
        self.parent_edge[node as usize] = parent;
        if !self.find_all && self.wanted.contains(node) {
            self.remaining -= 1;
            return self.remaining == 0;
        }
        false
    }

    /// Expands layer by layer from `frontier`; returns whether every target was reached.
    fn expand(&mut self, mut frontier: Vec<u32>, skipped: &mut SkippedReferences) -> bool {
        let graph = self.graph;
        let kinds = graph.edge_kinds;
        let mut next = Vec::new();
        while !frontier.is_empty() {
            for preferred in [true, false] {
                for &from in &frontier {
                    for edge in graph.edges(from) {
                        let kind = graph.edge_type(edge);
                        let is_internal = kind == kinds.internal || kind == kinds.hidden;
                        if is_internal == preferred {
                            continue;
                        }
                        let to = graph.edge_to(edge);
                        if !graph.is_strong(from, edge) || self.visited.contains(to) {
                            continue;
                        }
                        if skipped.skips(graph, from, edge) {
                            self.skipped_to.push(to);
                            continue;
                        }
                        next.push(to);
                        if self.reach(to, edge) {
                            return true;
                        }
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
        }
        false
    }
}

/// Parent edges of a BFS from the root: enough to rebuild the shortest path to any node it reached (or, after a
/// search for a few targets, to those targets: only the nodes on their paths are kept).
pub struct ShortestPaths {
    parent_edge: ParentEdges,
}

enum ParentEdges {
    /// By node index, `NO_EDGE` when not reached.
    All(Vec<u32>),
    /// The nodes on the paths to the targets, and their parent edge.
    Some(std::collections::HashMap<u32, u32>),
}

impl ParentEdges {
    fn get(&self, node: u32) -> u32 {
        match self {
            Self::All(edges) => edges.get(node as usize).copied().unwrap_or(NO_EDGE),
            Self::Some(edges) => edges.get(&node).copied().unwrap_or(NO_EDGE),
        }
    }
}

impl ShortestPaths {
    /// Searches until every node of `targets` is reached (all nodes when `targets` is empty), never following a
    /// reference that `skipped` matches.
    pub fn search(graph: &HeapGraph, targets: &[u32], skipped: &mut SkippedReferences) -> Self {
        let node_count = graph.node_count() as usize;
        let mut search = Search {
            graph,
            parent_edge: super::memory::filled(node_count, NO_EDGE),
            visited: Bitset::new(node_count),
            wanted: Bitset::new(node_count),
            remaining: 0,
            find_all: false,
            skipped_to: Vec::new(),
        };
        for &target in targets {
            if search.wanted.insert(target) {
                search.remaining += 1;
            }
        }
        search.find_all = search.remaining == 0;
        search.reach(0, NO_EDGE);
        let mut done = search.expand(vec![0], skipped);
        // A module's scope that only ignored references lead to (a runner's closures: vitest reaches a test file's
        // scope only through its tests' functions) still holds the module's variables: the search goes on from it,
        // as LeakCanary's does from static fields. Each round may skip more references, behind which more scopes.
        let scopes = ModuleScopes::new(graph);
        while let Some(scopes) = scopes.as_ref().filter(|_| !done) {
            let starts = std::mem::take(&mut search.skipped_to);
            let found = scopes.behind(graph, &starts, &search.visited);
            if found.is_empty() {
                break;
            }
            let mut frontier = Vec::with_capacity(found.len());
            for scope in found {
                frontier.push(scope);
                if search.reach(scope, MODULE_SCOPE) {
                    done = true;
                }
            }
            done = done || search.expand(frontier, skipped);
        }
        let Search {
            parent_edge,
            find_all,
            visited,
            wanted,
            skipped_to,
            ..
        } = search;
        drop((visited, wanted, skipped_to));
        // A few targets: keep their paths only, not four bytes for every node while the analysis goes on.
        let parent_edge = if !find_all && targets.len() <= node_count / 64 {
            let mut kept = std::collections::HashMap::new();
            for &target in targets {
                let mut node = target;
                while node != 0 {
                    let edge = parent_edge[node as usize];
                    if edge == NO_EDGE || kept.insert(node, edge).is_some() || edge == MODULE_SCOPE
                    {
                        break;
                    }
                    node = graph.edge_owner(edge);
                }
            }
            ParentEdges::Some(kept)
        } else {
            ParentEdges::All(parent_edge)
        };
        Self { parent_edge }
    }

    /// Whether the search reached `node` (the root reaches itself).
    pub fn reaches(&self, node: u32) -> bool {
        node == 0 || self.parent_edge.get(node) != NO_EDGE
    }

    /// The path to `target`, or `None` when the root does not reach it strongly.
    pub fn path_to(
        &self,
        graph: &HeapGraph,
        target: u32,
        sizes: Option<&RetainedSizes>,
    ) -> Option<RetainerPath> {
        if target != 0 && self.parent_edge.get(target) == NO_EDGE {
            return None;
        }
        let mut edges = Vec::new();
        let mut node = target;
        let mut root = "(root)".to_owned();
        while node != 0 {
            let edge = self.parent_edge.get(node);
            if edge == MODULE_SCOPE {
                root = "module scope (its top-level variables)".to_owned();
                break;
            }
            edges.push(edge);
            node = graph.edge_owner(edge);
        }
        edges.reverse();
        let namer = Namer { graph, sizes };
        // The synthetic root and the root groups under it say where the path starts; they are not holders.
        let mut start = 0;
        while let Some(&edge) = edges.get(start) {
            let to = graph.edge_to(edge);
            if graph.edge_type(edge) == graph.edge_kinds.shortcut {
                root = namer.node(to).label;
            } else if graph.node_type(to) == graph.node_kinds.synthetic {
                root = graph.node_name(to).to_owned();
            } else {
                break;
            }
            start += 1;
        }
        let steps = (start..edges.len())
            .map(|at| namer.step(edges[at], at.checked_sub(1).map(|before| edges[before])))
            .collect();
        Some(RetainerPath {
            root,
            steps,
            target: namer.node(target),
        })
    }
}

/// Turns nodes and edges into words.
pub struct Namer<'a> {
    pub graph: &'a HeapGraph,
    pub sizes: Option<&'a RetainedSizes>,
}

impl Namer<'_> {
    pub fn node(&self, node: u32) -> HeapNodeInfo {
        let graph = self.graph;
        HeapNodeInfo {
            index: node,
            id: graph.node_id(node),
            node_type: graph.node_type_name(node).to_owned(),
            name: graph.node_name(node).to_owned(),
            label: node_label(graph, node),
            self_size: graph.self_size(node),
            retained_size: self.sizes.and_then(|sizes| sizes.retained_size(node)),
        }
    }

    /// `previous` is the edge before this one on the path: it tells whether the holder is a collection's table.
    fn step(&self, edge: u32, previous: Option<u32>) -> RetainerStep {
        let graph = self.graph;
        let kind = graph.edge_type(edge);
        RetainerStep {
            holder: self.node(graph.edge_owner(edge)),
            edge_type: graph.edge_type_name(edge).to_owned(),
            edge_name: graph.edge_name(edge),
            edge_label: self.edge_label(edge, previous),
            is_internal: kind == graph.edge_kinds.internal || kind == graph.edge_kinds.hidden,
        }
    }

    /// Words for a reference: `App.server`, `Array[0]`, `variable app`, `Map entry`, ... `previous` is the reference
    /// that led to the holder, when there is one: it tells whether the holder is a collection's table.
    pub fn edge_label(&self, edge: u32, previous: Option<u32>) -> String {
        let graph = self.graph;
        let holder = graph.edge_owner(edge);
        let kinds = graph.edge_kinds;
        let kind = graph.edge_type(edge);
        let name = graph.edge_name(edge);
        let holder_name = short_name(graph, holder);
        let collection = previous.filter(|&before| is_table_edge(graph, before));
        if let Some(table_edge) = collection {
            format!("{} entry", graph.node_name(graph.edge_owner(table_edge)))
        } else if kind == kinds.property {
            format!("{holder_name}.{name}")
        } else if kind == kinds.element {
            format!("{holder_name}[{name}]")
        } else if kind == kinds.context {
            format!("variable {name}")
        } else if kind == kinds.hidden && graph.node_name(holder) == "system / Context" {
            match context_slot_name(graph, holder, graph.edge_index(edge)) {
                Some(variable) => format!("variable {variable}"),
                None => format!("Context slot {name}"),
            }
        } else if is_table_edge(graph, edge) {
            format!("{holder_name} entries")
        } else if kind == kinds.internal
            && name == "context"
            && graph.node_type(holder) == graph.node_kinds.closure
        {
            "closure scope (the variables it captured)".to_owned()
        } else {
            format!("{holder_name} ({}) {name}", graph.edge_type_name(edge))
        }
    }
}

fn short_name(graph: &HeapGraph, node: u32) -> String {
    let name = graph.node_name(node);
    let name = name.strip_prefix("system / ").unwrap_or(name);
    if name.is_empty() {
        graph.node_type_name(node).to_owned()
    } else {
        name.chars().take(60).collect()
    }
}

/// Words for a node: `App instance`, `function onRequest`, `Array`, ...
pub fn node_label(graph: &HeapGraph, node: u32) -> String {
    let kinds = graph.node_kinds;
    let kind = graph.node_type(node);
    let name = graph.node_name(node);
    if kind == kinds.closure {
        if name.is_empty() {
            "anonymous function".to_owned()
        } else {
            format!("function {name}")
        }
    } else if kind == kinds.object {
        match name.strip_prefix("system / ") {
            Some(internal) => internal.to_owned(),
            None if name.is_empty() => "Object".to_owned(),
            // V8 names a global object by its URL or `global`; either way the user knows it as the global object.
            None if name == "global" || name.starts_with("global /") || name == "Window" => {
                "global object".to_owned()
            }
            None => format!("{name} instance"),
        }
    } else if kind == kinds.array {
        if name.is_empty() || name == "(object elements)" || name.starts_with('(') {
            format!("Array {}", if name.is_empty() { "" } else { name })
                .trim_end()
                .to_owned()
        } else {
            name.to_owned()
        }
    } else if kind == kinds.string
        || kind == kinds.concatenated_string
        || kind == kinds.sliced_string
    {
        let text: String = name.chars().take(40).collect();
        format!("string {text:?}")
    } else {
        let short = name.strip_prefix("system / ").unwrap_or(name);
        if short.is_empty() {
            graph.node_type_name(node).to_owned()
        } else {
            short.to_owned()
        }
    }
}

fn is_collection(graph: &HeapGraph, node: u32) -> bool {
    graph.node_type(node) == graph.node_kinds.object
        && matches!(graph.node_name(node), "Map" | "Set" | "WeakMap" | "WeakSet")
}

/// The edge from a Map, Set, WeakMap or WeakSet to its backing hash table.
fn is_table_edge(graph: &HeapGraph, edge: u32) -> bool {
    graph.edge_type(edge) == graph.edge_kinds.internal
        && is_collection(graph, graph.edge_owner(edge))
        && graph.edge_name(edge) == "table"
}

/// The variable name of hidden slot `slot` of a Context: the `slot`-th string among its ScopeInfo's `hidden` edges.
pub fn context_slot_name(graph: &HeapGraph, context: u32, slot: u32) -> Option<String> {
    let scope_info = graph.edges(context).find_map(|edge| {
        (graph.edge_type(edge) == graph.edge_kinds.internal
            && graph.edge_name(edge) == "scope_info")
            .then(|| graph.edge_to(edge))
    })?;
    let string_kinds = [
        graph.node_kinds.string,
        graph.node_kinds.concatenated_string,
        graph.node_kinds.sliced_string,
    ];
    graph
        .edges(scope_info)
        .filter(|&edge| graph.edge_type(edge) == graph.edge_kinds.hidden)
        .map(|edge| graph.edge_to(edge))
        .filter(|&to| string_kinds.contains(&graph.node_type(to)))
        .nth(slot as usize)
        .map(|to| graph.node_name(to).to_owned())
}
