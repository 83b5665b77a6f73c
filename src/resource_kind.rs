//! The kinds of resource leakwatch reports, named in words a test author knows.
//!
//! Node names async resources by their C++ wrap (`TCPSERVERWRAP`, `PROCESSWRAP`, ...). A report says "TCP server"
//! or "Child process" instead, and each kind carries the hint that tells how to close it. `PROMISE` and request
//! wraps (`GETADDRINFOREQWRAP`, `FSREQCALLBACK`, ...) are not kinds: they finish on their own.

use serde::{Deserialize, Serialize};

/// The types that are reportable, in the order of [`ResourceKind::ALL`]: async_hooks types, then two pseudo-types
/// the JS side tracks apart: `LISTENER` (event listeners) and `RETAINED` (objects still reachable after GC).
pub const REPORTABLE_ASYNC_TYPES: [&str; 17] = [
    "TCPSERVERWRAP",
    "TCPWRAP",
    "TLSWRAP",
    "PIPESERVERWRAP",
    "PIPEWRAP",
    "UDPWRAP",
    "PROCESSWRAP",
    "FSEVENTWRAP",
    "STATWATCHER",
    "Timeout",
    "Immediate",
    "WORKER",
    "MESSAGEPORT",
    "SIGNALWRAP",
    "FILEHANDLE",
    "LISTENER",
    "RETAINED",
];

/// A reportable resource kind. The serialised name is the one users write in `kinds` and ignore rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    #[serde(rename = "TCP server")]
    TcpServer,
    #[serde(rename = "TCP socket")]
    TcpSocket,
    #[serde(rename = "TLS socket")]
    TlsSocket,
    #[serde(rename = "Pipe server")]
    PipeServer,
    #[serde(rename = "Pipe")]
    Pipe,
    #[serde(rename = "UDP socket")]
    UdpSocket,
    #[serde(rename = "Child process")]
    ChildProcess,
    #[serde(rename = "FS watcher")]
    FsWatcher,
    #[serde(rename = "Stat watcher")]
    StatWatcher,
    #[serde(rename = "Timeout")]
    Timeout,
    #[serde(rename = "Interval")]
    Interval,
    #[serde(rename = "Immediate")]
    Immediate,
    #[serde(rename = "Worker")]
    Worker,
    #[serde(rename = "MessagePort")]
    MessagePort,
    #[serde(rename = "Signal handler")]
    SignalHandler,
    #[serde(rename = "File handle")]
    FileHandle,
    #[serde(rename = "Listener")]
    Listener,
    #[serde(rename = "Retained object")]
    RetainedObject,
}

impl ResourceKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [ResourceKind; 18] = [
        ResourceKind::TcpServer,
        ResourceKind::TcpSocket,
        ResourceKind::TlsSocket,
        ResourceKind::PipeServer,
        ResourceKind::Pipe,
        ResourceKind::UdpSocket,
        ResourceKind::ChildProcess,
        ResourceKind::FsWatcher,
        ResourceKind::StatWatcher,
        ResourceKind::Timeout,
        ResourceKind::Interval,
        ResourceKind::Immediate,
        ResourceKind::Worker,
        ResourceKind::MessagePort,
        ResourceKind::SignalHandler,
        ResourceKind::FileHandle,
        ResourceKind::Listener,
        ResourceKind::RetainedObject,
    ];

    /// The kind of an async resource, from the `type` async_hooks gives it. A `Timeout` that repeats is an
    /// interval: the hook cannot tell them apart, the resource's `_repeat` can.
    pub fn from_async_type(async_type: &str, repeats: bool) -> Option<ResourceKind> {
        Some(match async_type {
            "TCPSERVERWRAP" => ResourceKind::TcpServer,
            "TCPWRAP" => ResourceKind::TcpSocket,
            "TLSWRAP" => ResourceKind::TlsSocket,
            "PIPESERVERWRAP" => ResourceKind::PipeServer,
            "PIPEWRAP" => ResourceKind::Pipe,
            "UDPWRAP" => ResourceKind::UdpSocket,
            "PROCESSWRAP" => ResourceKind::ChildProcess,
            "FSEVENTWRAP" => ResourceKind::FsWatcher,
            "STATWATCHER" => ResourceKind::StatWatcher,
            "Timeout" if repeats => ResourceKind::Interval,
            "Timeout" => ResourceKind::Timeout,
            "Immediate" => ResourceKind::Immediate,
            "WORKER" => ResourceKind::Worker,
            "MESSAGEPORT" => ResourceKind::MessagePort,
            "SIGNALWRAP" => ResourceKind::SignalHandler,
            "FILEHANDLE" => ResourceKind::FileHandle,
            "LISTENER" => ResourceKind::Listener,
            "RETAINED" => ResourceKind::RetainedObject,
            _ => return None,
        })
    }

    /// The user-facing name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::TcpServer => "TCP server",
            ResourceKind::TcpSocket => "TCP socket",
            ResourceKind::TlsSocket => "TLS socket",
            ResourceKind::PipeServer => "Pipe server",
            ResourceKind::Pipe => "Pipe",
            ResourceKind::UdpSocket => "UDP socket",
            ResourceKind::ChildProcess => "Child process",
            ResourceKind::FsWatcher => "FS watcher",
            ResourceKind::StatWatcher => "Stat watcher",
            ResourceKind::Timeout => "Timeout",
            ResourceKind::Interval => "Interval",
            ResourceKind::Immediate => "Immediate",
            ResourceKind::Worker => "Worker",
            ResourceKind::MessagePort => "MessagePort",
            ResourceKind::SignalHandler => "Signal handler",
            ResourceKind::FileHandle => "File handle",
            ResourceKind::Listener => "Listener",
            ResourceKind::RetainedObject => "Retained object",
        }
    }

    pub fn from_name(name: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    /// How to release a resource of this kind: one line, concrete enough to act on.
    pub fn fix_hint(self) -> &'static str {
        match self {
            ResourceKind::TcpServer | ResourceKind::PipeServer => {
                "close the server and wait for it: `await new Promise((r) => server.close(r))`, or `await app.close()` \
                 for Fastify. Is close() mocked? A mocked close() closes nothing."
            }
            ResourceKind::TcpSocket | ResourceKind::TlsSocket | ResourceKind::Pipe => {
                "end the connection: `socket.destroy()`, `await redis.quit()` for a Redis client, `ws.terminate()` for a \
                 WebSocket; a server's accepted sockets close with `server.closeAllConnections()`."
            }
            ResourceKind::UdpSocket => "close the socket: `socket.close()`.",
            ResourceKind::ChildProcess => {
                "stop the child and wait for it: `child.kill(); await once(child, 'exit')`."
            }
            ResourceKind::FsWatcher => "close the watcher: `watcher.close()`.",
            ResourceKind::StatWatcher => "stop watching: `fs.unwatchFile(path)`.",
            ResourceKind::Timeout => {
                "clear the timer: `clearTimeout(timer)`, or `timer.unref()` if it must not keep the process alive."
            }
            ResourceKind::Interval => {
                "clear the interval: `clearInterval(interval)`; a stop()/close() method should do it."
            }
            ResourceKind::Immediate => "clear it: `clearImmediate(immediate)`.",
            ResourceKind::Worker => "stop the worker: `await worker.terminate()`.",
            ResourceKind::MessagePort => "close the port: `port.close()` (both ends of a MessageChannel).",
            ResourceKind::SignalHandler => {
                "remove the handler: `process.off('SIGTERM', handler)` in stop()/close()."
            }
            ResourceKind::FileHandle => "close the file: `await fileHandle.close()`, in a finally block.",
            ResourceKind::Listener => {
                "remove it when done: `emitter.off(event, handler)` in stop()/close() (keep a reference to the \
                 function), `removeEventListener` for an EventTarget, or add it with `{ signal }` and abort."
            }
            ResourceKind::RetainedObject => {
                "find what still references it and drop that: a module-level variable or array, a cache or registry, a \
                 listener on a long-lived emitter, a mock's recorded calls (`vi.fn()` keeps every argument: \
                 `mockReset()`), a timer's closure."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(ResourceKind::from_async_type("PROMISE", false), None);
        assert_eq!(
            ResourceKind::from_async_type("GETADDRINFOREQWRAP", false),
            None
        );
    }

    #[test]
    fn names_round_trip_through_serde_and_from_name() {
        for kind in ResourceKind::ALL {
            let json = serde_json::to_string(&kind).expect("a kind serialises");
            assert_eq!(json, format!("\"{}\"", kind.name()));
            assert_eq!(ResourceKind::from_name(kind.name()), Some(kind));
            assert!(!kind.fix_hint().is_empty());
        }
        assert_eq!(ResourceKind::from_name("tcp server"), None);
        let from_types: std::collections::BTreeSet<ResourceKind> = REPORTABLE_ASYNC_TYPES
            .iter()
            .flat_map(|t| [false, true].map(|repeats| ResourceKind::from_async_type(t, repeats)))
            .map(|kind| kind.expect("every reportable type has a kind"))
            .collect();
        assert_eq!(
            from_types.len(),
            ResourceKind::ALL.len(),
            "every kind comes from a reportable type"
        );
    }
}
