//! A retainer path as text: a leak trace like LeakCanary's (the GC root, one line per reference, then the object).
//!
//! The one renderer of a path: a retained object's leak (`leak_report`) and `leakwatch analyze` (through the
//! binding) print it. It reads the path as the heap analysis gives it (`heap::paths::RetainerPath`, serialised),
//! with what the JS side adds: each node's sizes in words (`sizes`, from the one byte formatter, `js/core/bytes.js`,
//! which the reporter and the HTML page use too), and on a step, a note on a reference a person would not recognise
//! by its name (a mock's recorded calls).

use serde::Deserialize;

/// A path from a GC root to the object it keeps alive.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracedPath {
    /// The root, in words (`(GC roots)`, `module scope of a.test.js`).
    pub root: String,
    /// The references from the root to the object, the root's side first.
    pub steps: Vec<TracedStep>,
    pub target: TracedNode,
}

/// One reference on the path: its holder, and the reference's name.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracedStep {
    pub holder: TracedNode,
    /// The reference as a person writes it (`.server`, `[3]`, `calls`).
    pub edge_label: String,
    /// A reference of V8's own, no property the program wrote.
    #[serde(default)]
    pub is_internal: bool,
    /// A word on the reference, shown under it.
    #[serde(default)]
    pub note: Option<String>,
}

/// A heap object on the path.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracedNode {
    /// The heap snapshot's id.
    pub id: u64,
    /// The object in words (`Server`, `Array`, `system / Context`).
    pub label: String,
    /// Its sizes in words: `812 B self, retains 3.10 MB`.
    pub sizes: String,
}

/// The leak trace: the root, a line per holder with the reference it holds the next by (a `^` line under a
/// reference with a note), then the object.
pub fn render_retainer_path(path: &TracedPath) -> String {
    let mut lines = vec![
        "┬───".to_owned(),
        format!("│ GC Root: {}", path.root),
        "│".to_owned(),
    ];
    for step in &path.steps {
        lines.push(format!("├─ {}", node_text(&step.holder)));
        let internal = if step.is_internal {
            "   (V8 internal reference)"
        } else {
            ""
        };
        lines.push(format!("│    ↓ {}{internal}", step.edge_label));
        if let Some(note) = &step.note {
            lines.push(format!("│      ^ {note}"));
        }
    }
    lines.push(format!("╰→ {}", node_text(&path.target)));
    lines.join("\n")
}

fn node_text(node: &TracedNode) -> String {
    format!("{}  (@{}, {})", node.label, node.id, node.sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_root_steps_notes_and_target() {
        let json = r#"{
            "root": "(GC roots)",
            "steps": [
                {"holder": {"id": 3, "label": "system / Context", "sizes": "48 B self", "selfSize": 48},
                 "edgeLabel": "spy", "isInternal": false, "edgeType": "context"},
                {"holder": {"id": 5, "label": "Function", "sizes": "64 B self, retains 1.20 kB"},
                 "edgeLabel": "spy.mock", "note": "a mock: it keeps the arguments of every call"},
                {"holder": {"id": 7, "label": "Object", "sizes": "32 B self"}, "edgeLabel": "map", "isInternal": true}
            ],
            "target": {"id": 9, "label": "Server", "sizes": "120 B self, retains 3.10 MB"}
        }"#;
        let path: TracedPath =
            serde_json::from_str(json).expect("the analyser's path, with sizes in words");
        assert_eq!(
            render_retainer_path(&path),
            "┬───\n│ GC Root: (GC roots)\n│\n├─ system / Context  (@3, 48 B self)\n│    ↓ spy\n\
             ├─ Function  (@5, 64 B self, retains 1.20 kB)\n│    ↓ spy.mock\n│      ^ a mock: it keeps the arguments of every call\n\
             ├─ Object  (@7, 32 B self)\n│    ↓ map   (V8 internal reference)\n\
             ╰→ Server  (@9, 120 B self, retains 3.10 MB)"
        );
    }

    #[test]
    fn a_path_with_no_steps_is_the_root_then_the_object() {
        let path = TracedPath {
            root: "(GC roots)".into(),
            steps: Vec::new(),
            target: TracedNode {
                id: 1,
                label: "Server".into(),
                sizes: "8 B self".into(),
            },
        };
        assert_eq!(
            render_retainer_path(&path),
            "┬───\n│ GC Root: (GC roots)\n│\n╰→ Server  (@1, 8 B self)"
        );
    }
}
