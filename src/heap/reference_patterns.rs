//! Reference patterns: references the retainer-path search does not follow, as LeakCanary's reference matchers.
//!
//! Some references keep an object alive without being the program's doing: a test runner's bookkeeping (node:test
//! keeps every `t.after()` hook until the process ends) or leakwatch's own. An object reachable only through them
//! is not retained by the code under test, so the search treats such an edge as absent: the object gets no path.
//!
//! A pattern names the holder and the reference, as a retainer path shows them: the holder by the name the snapshot
//! gives it (a class for an instance, the function's name for a closure, `Context` for a closure scope), and, for a
//! plain object, which has no class, by another reference it has; the reference by its name (a property, a captured
//! variable, an element's index, `context` for a closure's scope). `*` stands for any run of characters. The
//! patterns are data: which ones apply is the caller's choice.
//!
//! Cost: one lookup per node the search expands (its name's string index, cached), and a name comparison only for
//! the edges of holders that match; nothing when there are no patterns.

use super::graph::HeapGraph;
use super::paths::context_slot_name;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// One reference the search skips: `edge` of any node named `holder` (both with `*` wildcards) that also has a
/// reference named `holder_has`, when given.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferencePattern {
    /// The holder's name: a class or constructor name, a function's name, or `Context`, `Array`, `Object`, ...
    pub holder: String,
    /// The reference's name: a property or variable name, an index in decimal, `context` (a closure's scope).
    pub edge: String,
    /// Another reference the holder must have: a plain object has no class, so its shape tells whose it is (a
    /// jest-circus test or hook entry is an `Object` with `fn` and `seenDone`). Default: any holder of that name.
    pub holder_has: Option<String>,
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (none included).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it is tried against: backtrack there on a mismatch.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// The name a pattern's `holder` is matched against: the snapshot's, without V8's `system / ` prefix.
fn holder_name(graph: &HeapGraph, node: u32) -> &str {
    let name = graph.node_name(node);
    name.strip_prefix("system / ").unwrap_or(name)
}

/// The name a pattern's `edge` is matched against: a Context's `hidden` slot by its variable's name, as the path
/// shows it (a test file's module-level `const` under vitest), else the edge's own name or index.
fn reference_name(graph: &HeapGraph, holder: u32, edge: u32) -> Cow<'_, str> {
    if graph.edge_type(edge) == graph.edge_kinds.hidden
        && graph.node_name(holder) == "system / Context"
    {
        if let Some(variable) = context_slot_name(graph, holder, graph.edge_index(edge)) {
            return Cow::Owned(variable);
        }
    }
    if graph.edge_is_indexed(edge) {
        Cow::Owned(graph.edge_index(edge).to_string())
    } else {
        Cow::Borrowed(graph.strings().get(graph.edge_index(edge)))
    }
}

/// The patterns, matched against one graph, with what was worked out about node names kept for the next nodes.
pub struct SkippedReferences<'a> {
    patterns: &'a [ReferencePattern],
    /// By the string index of a node's name: the patterns whose holder matches it (an empty list for none).
    holders: HashMap<u32, Vec<usize>>,
    /// Nodes none of whose references are followed: resources still open, whose holdings are theirs.
    open_holders: HashSet<u32>,
}

impl<'a> SkippedReferences<'a> {
    pub fn new(patterns: &'a [ReferencePattern]) -> Self {
        Self {
            patterns,
            holders: HashMap::new(),
            open_holders: HashSet::new(),
        }
    }

    /// Skips every reference of `nodes` too.
    pub fn with_open_holders(mut self, nodes: HashSet<u32>) -> Self {
        self.open_holders = nodes;
        self
    }

    /// No pattern and no open holder: the search skips nothing.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty() && self.open_holders.is_empty()
    }

    /// The patterns whose holder matches `node`'s name (empty for most nodes).
    fn patterns_for(&mut self, graph: &HeapGraph, node: u32) -> &[usize] {
        let name_index = graph.snapshot.node_name[node as usize];
        let patterns = self.patterns;
        self.holders.entry(name_index).or_insert_with(|| {
            let name = holder_name(graph, node);
            (0..patterns.len())
                .filter(|&index| glob_matches(&patterns[index].holder, name))
                .collect()
        })
    }

    /// Whether the search must not follow `edge`, which `holder` owns.
    pub fn skips(&mut self, graph: &HeapGraph, holder: u32, edge: u32) -> bool {
        if self.open_holders.contains(&holder) {
            return true;
        }
        if self.patterns.is_empty() {
            return false;
        }
        let patterns = self.patterns;
        let matching = self.patterns_for(graph, holder);
        if matching.is_empty() {
            return false;
        }
        let name = reference_name(graph, holder, edge);
        let has = |wanted: &str| {
            graph
                .edges(holder)
                .any(|other| glob_matches(wanted, &reference_name(graph, holder, other)))
        };
        matching.iter().any(|&index| {
            let pattern = &patterns[index];
            glob_matches(&pattern.edge, &name) && pattern.holder_has.as_deref().is_none_or(has)
        })
    }
}

#[cfg(test)]
mod glob_tests {
    use super::glob_matches;

    #[test]
    fn stars_match_any_run_of_characters() {
        assert!(glob_matches("TestHook", "TestHook"));
        assert!(!glob_matches("TestHook", "TestHooks"));
        assert!(!glob_matches("TestHook", "Test"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("run*", "runWithTimeout"));
        assert!(glob_matches("*Timeout", "runWithTimeout"));
        assert!(glob_matches("*With*", "runWithTimeout"));
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXbYbZ"));
        assert!(glob_matches("<symbol *>", "<symbol JEST_STATE_SYMBOL>"));
        assert!(!glob_matches("", "x"));
        assert!(glob_matches("", ""));
    }
}
