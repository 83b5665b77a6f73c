//! The kinds of resource leakwatch reports, named in words a test author knows: the one table of them.
//!
//! Node names async resources by their C++ wrap (`TCPSERVERWRAP`, `PROCESSWRAP`, ...). A report says "TCP server"
//! or "Child process" instead, and each kind carries the hint that tells how to close it. `PROMISE` and request
//! wraps (`GETADDRINFOREQWRAP`, `FSREQCALLBACK`, ...) are not kinds: they finish on their own.
//!
//! [`TABLE`] is where a kind is declared: its name, the type it is recorded as and its fix hint; how one is
//! described in words is `leak_report::describe`, how the JS side tells one is open is `js/core/liveness.js`. The JS
//! side needs the names and types before the addon is loaded (a clean test never loads it), so it reads them from
//! `js/core/resource-kinds.json`, which this module's tests write from the table: never edit that file by hand.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A reportable resource kind, serialised as its name (the one users write in `kinds` and ignore rules). The
/// variants are in the order of [`TABLE`], which is the order reports list kinds in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    TcpServer,
    TcpSocket,
    TlsSocket,
    PipeServer,
    Pipe,
    UdpSocket,
    ChildProcess,
    FsWatcher,
    StatWatcher,
    Timeout,
    Interval,
    Immediate,
    Worker,
    MessagePort,
    SignalHandler,
    FileHandle,
    Listener,
    RetainedObject,
}

/// One kind: everything about it but its description in words.
#[derive(Debug)]
pub struct KindEntry {
    pub kind: ResourceKind,
    /// The user-facing name.
    pub name: &'static str,
    /// The async_hooks type a resource of this kind is recorded as, or one of the two pseudo-types the JS side
    /// tracks apart: `LISTENER` (event listeners) and `RETAINED` (objects still reachable after GC).
    pub async_type: &'static str,
    /// A `Timeout` that repeats is an interval: the hook cannot tell them apart, the resource's `_repeat` can.
    pub repeats: bool,
    /// How to release a resource of this kind: one line, concrete enough to act on.
    pub fix_hint: &'static str,
}

const fn kind(
    kind: ResourceKind,
    name: &'static str,
    async_type: &'static str,
    fix_hint: &'static str,
) -> KindEntry {
    KindEntry {
        kind,
        name,
        async_type,
        repeats: false,
        fix_hint,
    }
}

const SERVER_FIX: &str =
    "close the server and wait for it: `await new Promise((r) => server.close(r))`, or \
    `await app.close()` for Fastify. Is close() mocked? A mocked close() closes nothing.";
const CONNECTION_FIX: &str = "end the connection: `socket.destroy()`, `await redis.quit()` for a Redis client, \
    `ws.terminate()` for a WebSocket; a server's accepted sockets close with `server.closeAllConnections()`.";

/// Every kind, in the order reports list them (the order of [`ResourceKind`]'s variants).
pub const TABLE: [KindEntry; 18] = [
    kind(ResourceKind::TcpServer, "TCP server", "TCPSERVERWRAP", SERVER_FIX),
    kind(ResourceKind::TcpSocket, "TCP socket", "TCPWRAP", CONNECTION_FIX),
    kind(ResourceKind::TlsSocket, "TLS socket", "TLSWRAP", CONNECTION_FIX),
    kind(ResourceKind::PipeServer, "Pipe server", "PIPESERVERWRAP", SERVER_FIX),
    kind(ResourceKind::Pipe, "Pipe", "PIPEWRAP", CONNECTION_FIX),
    kind(
        ResourceKind::UdpSocket,
        "UDP socket",
        "UDPWRAP",
        "close the socket: `socket.close()`.",
    ),
    kind(
        ResourceKind::ChildProcess,
        "Child process",
        "PROCESSWRAP",
        "stop the child and wait for it: `child.kill(); await once(child, 'exit')`.",
    ),
    kind(
        ResourceKind::FsWatcher,
        "FS watcher",
        "FSEVENTWRAP",
        "close the watcher: `watcher.close()`.",
    ),
    kind(
        ResourceKind::StatWatcher,
        "Stat watcher",
        "STATWATCHER",
        "stop watching: `fs.unwatchFile(path)`.",
    ),
    kind(
        ResourceKind::Timeout,
        "Timeout",
        "Timeout",
        "clear the timer: `clearTimeout(timer)`, or `timer.unref()` if it must not keep the process alive.",
    ),
    KindEntry {
        repeats: true,
        ..kind(
            ResourceKind::Interval,
            "Interval",
            "Timeout",
            "clear the interval: `clearInterval(interval)`; a stop()/close() method should do it.",
        )
    },
    kind(
        ResourceKind::Immediate,
        "Immediate",
        "Immediate",
        "clear it: `clearImmediate(immediate)`.",
    ),
    kind(
        ResourceKind::Worker,
        "Worker",
        "WORKER",
        "stop the worker: `await worker.terminate()`.",
    ),
    kind(
        ResourceKind::MessagePort,
        "MessagePort",
        "MESSAGEPORT",
        "close the port: `port.close()` (both ends of a MessageChannel).",
    ),
    kind(
        ResourceKind::SignalHandler,
        "Signal handler",
        "SIGNALWRAP",
        "remove the handler: `process.off('SIGTERM', handler)` in stop()/close().",
    ),
    kind(
        ResourceKind::FileHandle,
        "File handle",
        "FILEHANDLE",
        "close the file: `await fileHandle.close()`, in a finally block.",
    ),
    kind(
        ResourceKind::Listener,
        "Listener",
        "LISTENER",
        "remove it when done: `emitter.off(event, handler)` in stop()/close() (keep a reference to the function), \
         `removeEventListener` for an EventTarget, or add it with `{ signal }` and abort.",
    ),
    kind(
        ResourceKind::RetainedObject,
        "Retained object",
        "RETAINED",
        "find what still references it and drop that: a module-level variable or array, a cache or registry, a \
         listener on a long-lived emitter, a mock's recorded calls (`vi.fn()` keeps every argument: \
         `mockReset()`), a timer's closure.",
    ),
];

impl ResourceKind {
    /// Its row of [`TABLE`], which lists the kinds in the variants' order.
    pub fn entry(self) -> &'static KindEntry {
        &TABLE[self as usize]
    }

    /// The kind of an async resource, from the `type` async_hooks gives it (or a JS pseudo-type), and whether a
    /// `Timeout` repeats.
    pub fn from_async_type(async_type: &str, repeats: bool) -> Option<ResourceKind> {
        let mut found = None;
        for entry in &TABLE {
            if entry.async_type == async_type {
                // A repeating Timeout is an Interval; anything else that "repeats" is its type's only kind.
                if entry.repeats == repeats {
                    return Some(entry.kind);
                }
                found.get_or_insert(entry.kind);
            }
        }
        found
    }

    /// The user-facing name, as serialised.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    pub fn from_name(name: &str) -> Option<ResourceKind> {
        TABLE
            .iter()
            .find(|entry| entry.name == name)
            .map(|entry| entry.kind)
    }

    /// How to release a resource of this kind: one line, concrete enough to act on.
    pub fn fix_hint(self) -> &'static str {
        self.entry().fix_hint
    }
}

impl Serialize for ResourceKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ResourceKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ResourceKind::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = TABLE.iter().map(|entry| entry.name).collect();
            serde::de::Error::custom(format!(
                "unknown resource kind \"{name}\" (the kinds are {})",
                names.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_kind_once_in_the_variants_order() {
        for (index, entry) in TABLE.iter().enumerate() {
            assert_eq!(entry.kind as usize, index, "{} is out of order", entry.name);
            assert_eq!(entry.kind.entry().name, entry.name);
            assert!(!entry.fix_hint.is_empty(), "{} has no fix hint", entry.name);
        }
        let names: std::collections::BTreeSet<&str> =
            TABLE.iter().map(|entry| entry.name).collect();
        assert_eq!(names.len(), TABLE.len(), "names are unique");
        let types: std::collections::BTreeSet<(&str, bool)> = TABLE
            .iter()
            .map(|entry| (entry.async_type, entry.repeats))
            .collect();
        assert_eq!(types.len(), TABLE.len(), "a type (and repeat) is one kind");
    }

    #[test]
    fn async_types_map_to_kinds() {
        assert_eq!(
            ResourceKind::from_async_type("TCPSERVERWRAP", false),
            Some(ResourceKind::TcpServer)
        );
        assert_eq!(
            ResourceKind::from_async_type("Timeout", false),
            Some(ResourceKind::Timeout)
        );
        assert_eq!(
            ResourceKind::from_async_type("Timeout", true),
            Some(ResourceKind::Interval)
        );
        assert_eq!(
            ResourceKind::from_async_type("TCPWRAP", true),
            Some(ResourceKind::TcpSocket),
            "only a Timeout has a repeating kind"
        );
        assert_eq!(ResourceKind::from_async_type("PROMISE", false), None);
        assert_eq!(
            ResourceKind::from_async_type("GETADDRINFOREQWRAP", false),
            None
        );
    }

    #[test]
    fn names_round_trip_through_serde_and_from_name() {
        for entry in &TABLE {
            let json = serde_json::to_string(&entry.kind).expect("a kind serialises");
            assert_eq!(json, format!("\"{}\"", entry.name));
            let back: ResourceKind = serde_json::from_str(&json).expect("a name parses");
            assert_eq!(back, entry.kind);
            assert_eq!(ResourceKind::from_name(entry.name), Some(entry.kind));
        }
        assert_eq!(ResourceKind::from_name("tcp server"), None);
        let error = serde_json::from_str::<ResourceKind>("\"TCP Server\"")
            .expect_err("names are exact")
            .to_string();
        assert!(
            error.starts_with(
                "unknown resource kind \"TCP Server\" (the kinds are TCP server, TCP socket,"
            ),
            "{error}"
        );
    }

    /// What the JS side reads of the table (`js/core/kinds.js`), one kind a line.
    fn js_side_table() -> String {
        let rows: Vec<String> = TABLE
            .iter()
            .map(|entry| {
                let mut row = serde_json::json!({ "kind": entry.name, "type": entry.async_type });
                if entry.repeats {
                    row["repeats"] = serde_json::Value::Bool(true);
                }
                format!("    {row}")
            })
            .collect();
        format!(
            "{{\n  \"generatedFrom\": \"src/resource_kind.rs, by its tests (cargo test): edit the table there\",\n  \"kinds\": [\n{}\n  ]\n}}\n",
            rows.join(",\n")
        )
    }

    /// The `ResourceKind` type of the public declarations (`js/index.d.ts` re-exports it).
    fn typescript_side_table() -> String {
        let names: Vec<String> = TABLE
            .iter()
            .map(|entry| format!("  | '{}'", entry.name))
            .collect();
        format!(
            "// Generated from src/resource_kind.rs by its tests (cargo test): edit the table there.\n\n\
             /** A kind of resource leakwatch reports, as reports and options name it. */\n\
             export type ResourceKind =\n{}\n",
            names.join("\n")
        )
    }

    /// Rewrites a generated file that is not `expected`, and fails: the table changed, the file must be committed.
    fn assert_generated(relative_path: &str, expected: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative_path);
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        if written != expected {
            std::fs::write(&path, expected).expect("a generated file is writable");
            panic!("{relative_path} was not this table: it is rewritten now; commit it");
        }
    }

    #[test]
    fn the_js_side_reads_this_table() {
        assert_generated("js/core/resource-kinds.json", &js_side_table());
    }

    #[test]
    fn the_typescript_side_names_this_table() {
        assert_generated("js/core/resource-kinds.d.ts", &typescript_side_table());
    }
}
