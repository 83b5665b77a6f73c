//! From the resources a scope left open to leaks a person can act on.
//!
//! The JS side decides which resources are still open (from the resources themselves, after a settle window) and
//! hands each over with its creation stack, already formatted through source maps, and what it knows of it (fd,
//! pid, delay, path). Here each becomes a [`Leak`]: its kind in words, what identifies it (with the addresses and
//! ref state read from libuv, matched by file descriptor), and the first frame in user code as its creation site.
//! Handles that libuv shows closing are dropped: they are on their way out, not leaks.

use crate::resource_kind::ResourceKind;
use crate::stack_frame::{parse_stack, FrameClassifier, FrameOrigin, StackFrame};
use crate::uv_handles::UvHandleInfo;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What JS knows of one resource still open at the end of its scope.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OpenResource {
    /// The async_hooks type (`TCPWRAP`, `Timeout`, ...).
    #[serde(rename = "type")]
    pub async_type: String,
    pub async_id: i64,
    /// The stack captured at the resource's `init`, formatted.
    pub stack: String,
    /// A stack to use when `stack` has no user frame: that of the call that caused the creation (`listen()`, or
    /// the resource that triggered this one, such as the server that accepted a socket).
    pub cause_stack: Option<String>,
    /// Said when the cause is another resource, e.g. "accepted by the TCP server".
    pub cause_label: Option<String>,
    pub has_ref: bool,
    pub repeats: bool,
    pub fd: Option<i32>,
    pub pid: Option<i32>,
    pub delay_ms: Option<f64>,
    pub local_address: Option<String>,
    pub peer_address: Option<String>,
    pub path: Option<String>,
    pub command: Option<String>,
    pub signal: Option<String>,
    pub thread_id: Option<i64>,
    /// A listener's emitter, in words (`process`, `Redis (127.0.0.1:6379)`).
    pub emitter: Option<String>,
    /// A listener's event.
    pub event: Option<String>,
    /// A retained object in words: `App instance (watched as "fastify app")`.
    pub object: Option<String>,
    /// A retained object's retainer path, already rendered (one line per step).
    pub retainer_path: Option<String>,
    /// Something the JS side noticed about the owner, e.g. that its `close` is a mock.
    pub note: Option<String>,
}

/// What a scope is, for the heading of its report.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakCheckInput {
    /// The working directory of the run; creation sites are shown relative to it.
    pub root: String,
    /// Directories of leakwatch's own code, never a creation site.
    #[serde(default)]
    pub own_dirs: Vec<String>,
    /// Path fragments of the test runner's code (see `FrameClassifier::runner_dirs`).
    #[serde(default)]
    pub runner_dirs: Vec<String>,
    pub resources: Vec<OpenResource>,
}

/// Where a resource was created: the first frame in user code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationSite {
    pub function: Option<String>,
    /// The path as shown: relative to the root when under it.
    pub file: String,
    /// The absolute path, to read the code frame from.
    pub absolute_file: String,
    pub line: u32,
    pub column: u32,
}

impl CreationSite {
    /// `file:line:column`, the key identical creation sites are grouped by.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One leaked resource, serialisable for reporters and CI files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Leak {
    /// The async id the resource had (negative for a listener), to match the leak with what the JS side holds.
    pub async_id: i64,
    pub kind: ResourceKind,
    #[serde(rename = "type")]
    pub async_type: String,
    pub description: String,
    pub has_ref: bool,
    pub site: Option<CreationSite>,
    /// The user frames below the site, innermost first, for the call chain (at most a few).
    pub user_frames: Vec<StackFrame>,
    /// The top frames of the stack when no frame is in user code, so the report still says something.
    pub top_frames: Vec<StackFrame>,
    /// The dependency's frame that the user's code called into when a dependency, not the user's line itself, made
    /// the resource (`listen()` of a server library adding `process.once('SIGTERM')`): where the fix belongs.
    pub made_inside: Option<StackFrame>,
    pub cause: Option<String>,
    pub note: Option<String>,
    /// For a listener: its emitter in words, and its event.
    pub emitter: Option<String>,
    pub event: Option<String>,
    /// For a retained object: the path from a GC root that keeps it alive, rendered.
    pub retainer_path: Option<String>,
}

const CALL_CHAIN_FRAMES: usize = 4;
const TOP_FRAMES_WITHOUT_SITE: usize = 3;

/// Turns open resources into leaks, using the loop's handles to describe sockets and drop closing handles.
pub fn analyze_leaks(input: &LeakCheckInput, loop_handles: &[UvHandleInfo]) -> Vec<Leak> {
    let classifier = FrameClassifier {
        own_dirs: input.own_dirs.clone(),
        runner_dirs: input.runner_dirs.clone(),
    };
    let handles_by_fd: HashMap<i32, &UvHandleInfo> = loop_handles
        .iter()
        .filter_map(|handle| Some((handle.fd?, handle)))
        .collect();
    let mut leaks = Vec::new();
    for resource in &input.resources {
        let Some(kind) = ResourceKind::from_async_type(&resource.async_type, resource.repeats)
        else {
            continue;
        };
        let handle = resource.fd.and_then(|fd| handles_by_fd.get(&fd).copied());
        if handle.is_some_and(|handle| handle.is_closing) {
            continue;
        }
        let has_ref = handle.map_or(resource.has_ref, |handle| {
            handle.has_ref && resource.has_ref
        });
        let (site, user_frames, top_frames, cause, made_inside) =
            locate(&classifier, &input.root, resource);
        leaks.push(Leak {
            async_id: resource.async_id,
            kind,
            async_type: resource.async_type.clone(),
            description: describe(kind, resource, handle),
            has_ref,
            site,
            user_frames,
            top_frames,
            made_inside,
            cause,
            note: resource.note.clone(),
            emitter: resource.emitter.clone(),
            event: resource.event.clone(),
            retainer_path: resource.retainer_path.clone(),
        });
    }
    leaks
}

type Location = (
    Option<CreationSite>,
    Vec<StackFrame>,
    Vec<StackFrame>,
    Option<String>,
    Option<StackFrame>,
);

/// The outermost dependency frame above the first user frame: the library function the user's code called, which
/// made the resource inside. None when the user's own line made it, or only Node's code lies between.
fn dependency_called(
    classifier: &FrameClassifier,
    root: &str,
    frames: &[StackFrame],
) -> Option<StackFrame> {
    let mut called = None;
    for frame in frames {
        match classifier.origin(frame) {
            FrameOrigin::User => break,
            FrameOrigin::Dependency if !classifier.is_runner(frame) => called = Some(frame),
            FrameOrigin::Dependency => {}
            FrameOrigin::NodeInternal | FrameOrigin::Leakwatch => {}
        }
    }
    called.map(|frame| StackFrame {
        file: relative_to(root, &frame.file),
        ..frame.clone()
    })
}

fn locate(classifier: &FrameClassifier, root: &str, resource: &OpenResource) -> Location {
    let frames = parse_stack(&resource.stack);
    let own_user_frames = classifier.user_frames(&frames);
    let made_inside = if own_user_frames.is_empty() {
        None
    } else {
        dependency_called(classifier, root, &frames)
    };
    let (user_frames, cause) = if own_user_frames.is_empty() {
        let cause_frames = resource
            .cause_stack
            .as_deref()
            .map(parse_stack)
            .unwrap_or_default();
        let cause_user_frames = classifier.user_frames(&cause_frames);
        let cause = (!cause_user_frames.is_empty())
            .then(|| resource.cause_label.clone())
            .flatten();
        (cause_user_frames, cause)
    } else {
        (own_user_frames, None)
    };
    let site = user_frames.first().map(|frame| creation_site(root, frame));
    // Without a user frame, the first frames outside Node say most: which dependency made it.
    let top_frames = if site.is_none() {
        let outside_node: Vec<StackFrame> = frames
            .iter()
            .filter(|frame| classifier.origin(frame) != FrameOrigin::NodeInternal)
            .take(TOP_FRAMES_WITHOUT_SITE)
            .cloned()
            .collect();
        let shown: Vec<StackFrame> = if outside_node.is_empty() {
            frames
                .iter()
                .take(TOP_FRAMES_WITHOUT_SITE)
                .cloned()
                .collect()
        } else {
            outside_node
        };
        shown
            .into_iter()
            .map(|frame| StackFrame {
                file: relative_to(root, &frame.file),
                ..frame
            })
            .collect()
    } else {
        Vec::new()
    };
    // The callers below the site, shown relative to the root; an `await` of the same line is not a caller.
    let call_chain = user_frames
        .into_iter()
        .skip(1)
        .filter(|frame| {
            site.as_ref().is_none_or(|site| {
                (frame.file.as_str(), frame.line) != (site.absolute_file.as_str(), site.line)
            })
        })
        .take(CALL_CHAIN_FRAMES)
        .map(|frame| StackFrame {
            file: relative_to(root, &frame.file),
            ..frame
        })
        .collect();
    (site, call_chain, top_frames, cause, made_inside)
}

fn creation_site(root: &str, frame: &StackFrame) -> CreationSite {
    CreationSite {
        function: frame.function.clone(),
        file: relative_to(root, &frame.file),
        absolute_file: frame.file.clone(),
        line: frame.line,
        column: frame.column,
    }
}

/// `file` relative to `root` when it lies under it, as written otherwise.
pub fn relative_to(root: &str, file: &str) -> String {
    let root = root.trim_end_matches('/');
    match file
        .strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(relative) if !root.is_empty() => relative.to_owned(),
        _ => file.to_owned(),
    }
}

fn describe(kind: ResourceKind, resource: &OpenResource, handle: Option<&UvHandleInfo>) -> String {
    let local = handle
        .and_then(|handle| handle.local_address.clone())
        .or_else(|| resource.local_address.clone());
    let peer = handle
        .and_then(|handle| handle.peer_address.clone())
        .or_else(|| resource.peer_address.clone());
    let path = resource
        .path
        .clone()
        .or_else(|| handle.and_then(|handle| handle.path.clone()));
    match kind {
        ResourceKind::TcpServer | ResourceKind::PipeServer => match local {
            Some(local) => format!("{} listening on {local}", kind.name()),
            None => format!("{} (not listening yet)", kind.name()),
        },
        ResourceKind::TcpSocket | ResourceKind::TlsSocket | ResourceKind::Pipe => {
            match (local, peer) {
                (Some(local), Some(peer)) => format!("{} {local} -> {peer}", kind.name()),
                (None, Some(peer)) => format!("{} to {peer}", kind.name()),
                (Some(local), None) => format!("{} {local} (not connected)", kind.name()),
                (None, None) => format!("{} (not connected)", kind.name()),
            }
        }
        ResourceKind::UdpSocket => match local {
            Some(local) => format!("UDP socket bound to {local}"),
            None => "UDP socket (not bound)".to_owned(),
        },
        ResourceKind::ChildProcess => {
            let pid = resource
                .pid
                .or_else(|| handle.and_then(|handle| handle.pid));
            let mut text = "Child process".to_owned();
            if let Some(pid) = pid {
                text.push_str(&format!(" pid {pid}"));
            }
            if let Some(command) = &resource.command {
                text.push_str(&format!(" ({command})"));
            }
            text
        }
        ResourceKind::FsWatcher | ResourceKind::StatWatcher => match path {
            Some(path) => format!("{} on {path}", kind.name()),
            None => kind.name().to_owned(),
        },
        ResourceKind::Timeout => format!("Timeout after {} ms", format_delay(resource.delay_ms)),
        ResourceKind::Interval => format!("Interval every {} ms", format_delay(resource.delay_ms)),
        ResourceKind::Immediate => "Immediate (setImmediate)".to_owned(),
        ResourceKind::Worker => match resource.thread_id {
            Some(thread_id) => format!("Worker thread {thread_id}"),
            None => "Worker thread".to_owned(),
        },
        ResourceKind::MessagePort => "MessagePort (a MessageChannel end)".to_owned(),
        ResourceKind::SignalHandler => {
            let signal = resource
                .signal
                .clone()
                .or_else(|| handle.and_then(|handle| handle.signal).map(signal_name));
            match signal {
                Some(signal) => format!("Signal handler for {signal}"),
                None => "Signal handler".to_owned(),
            }
        }
        ResourceKind::FileHandle => {
            let mut text = "File handle".to_owned();
            if let Some(fd) = resource.fd {
                text.push_str(&format!(" fd {fd}"));
            }
            if let Some(path) = path {
                text.push_str(&format!(" ({path})"));
            }
            text
        }
        ResourceKind::RetainedObject => format!(
            "{} still reachable after GC",
            resource.object.as_deref().unwrap_or("an object")
        ),
        ResourceKind::Listener => format!(
            "listener for \"{}\" on {}",
            resource.event.as_deref().unwrap_or("?"),
            resource.emitter.as_deref().unwrap_or("an emitter")
        ),
    }
}

fn format_delay(delay_ms: Option<f64>) -> String {
    match delay_ms {
        Some(delay) if delay.is_finite() && delay.fract() == 0.0 => format!("{delay:.0}"),
        Some(delay) if delay.is_finite() => format!("{delay}"),
        _ => "?".to_owned(),
    }
}

/// A signal number, as libuv's signal handle holds it, to its name. The numbers are the platform's (`SIGUSR1` is 10
/// on Linux and 30 on macOS), so they come from libc; Windows walks no handles, so it never has one to name.
pub fn signal_name(signum: i32) -> String {
    #[cfg(unix)]
    let name = match signum {
        libc::SIGHUP => Some("SIGHUP"),
        libc::SIGINT => Some("SIGINT"),
        libc::SIGQUIT => Some("SIGQUIT"),
        libc::SIGABRT => Some("SIGABRT"),
        libc::SIGUSR1 => Some("SIGUSR1"),
        libc::SIGUSR2 => Some("SIGUSR2"),
        libc::SIGPIPE => Some("SIGPIPE"),
        libc::SIGALRM => Some("SIGALRM"),
        libc::SIGTERM => Some("SIGTERM"),
        libc::SIGCHLD => Some("SIGCHLD"),
        libc::SIGWINCH => Some("SIGWINCH"),
        _ => None,
    };
    #[cfg(not(unix))]
    let name: Option<&str> = None;
    name.map_or_else(|| format!("signal {signum}"), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(resources: Vec<OpenResource>) -> LeakCheckInput {
        LeakCheckInput {
            root: "/app".into(),
            own_dirs: vec!["/lw/js/".into()],
            runner_dirs: vec!["/node_modules/vitest/".into()],
            resources,
        }
    }

    fn resource(async_type: &str, stack: &str) -> OpenResource {
        OpenResource {
            async_type: async_type.into(),
            stack: stack.into(),
            has_ref: true,
            ..OpenResource::default()
        }
    }

    const SERVER_STACK: &str =
        "Error\n    at Server.listen (node:net:1:1)\n    at start (/app/src/server.ts:14:23)\n    at t (/app/test/a.test.ts:3:5)";

    #[test]
    fn describes_a_server_from_libuv_by_fd() {
        let mut server = resource("TCPSERVERWRAP", SERVER_STACK);
        server.fd = Some(21);
        let handles = vec![UvHandleInfo {
            handle_type: "tcp",
            has_ref: true,
            fd: Some(21),
            local_address: Some("127.0.0.1:41873".into()),
            ..UvHandleInfo::default()
        }];
        let leaks = analyze_leaks(&input(vec![server]), &handles);
        assert_eq!(leaks.len(), 1);
        assert_eq!(
            leaks[0].description,
            "TCP server listening on 127.0.0.1:41873"
        );
        let site = leaks[0].site.as_ref().expect("a site");
        assert_eq!(site.position(), "src/server.ts:14:23");
        assert_eq!(site.function.as_deref(), Some("start"));
        assert_eq!(leaks[0].user_frames.len(), 1);
    }

    #[test]
    fn without_the_walk_leaks_are_described_from_what_js_knows() {
        // Windows (no walk, and no fd from JS) or a host that does not export libuv: the binding passes no handles.
        let mut server = resource("TCPSERVERWRAP", SERVER_STACK);
        server.local_address = Some("127.0.0.1:41873".into());
        let mut client = resource("TCPWRAP", SERVER_STACK);
        client.peer_address = Some("127.0.0.1:6379".into());
        client.has_ref = false;
        let leaks = analyze_leaks(&input(vec![server, client]), &[]);
        assert_eq!(leaks.len(), 2);
        assert_eq!(
            leaks[0].description,
            "TCP server listening on 127.0.0.1:41873"
        );
        assert!(leaks[0].has_ref, "the ref state JS read stands");
        assert_eq!(
            leaks[0]
                .site
                .as_ref()
                .map(CreationSite::position)
                .as_deref(),
            Some("src/server.ts:14:23")
        );
        assert_eq!(leaks[1].description, "TCP socket to 127.0.0.1:6379");
        assert!(!leaks[1].has_ref);
    }

    #[test]
    fn signal_numbers_are_named_by_this_platform_s_numbering() {
        #[cfg(unix)]
        {
            assert_eq!(signal_name(libc::SIGTERM), "SIGTERM");
            assert_eq!(signal_name(libc::SIGUSR1), "SIGUSR1");
            assert_eq!(signal_name(libc::SIGCHLD), "SIGCHLD");
        }
        #[cfg(target_os = "linux")]
        assert_eq!(signal_name(10), "SIGUSR1");
        #[cfg(target_os = "macos")]
        assert_eq!(signal_name(30), "SIGUSR1");
        assert_eq!(signal_name(99), "signal 99");
    }

    #[test]
    fn closing_handles_are_not_leaks_and_unref_in_libuv_wins() {
        let mut closing = resource("TCPWRAP", SERVER_STACK);
        closing.fd = Some(5);
        let mut unrefd = resource("TCPWRAP", SERVER_STACK);
        unrefd.fd = Some(6);
        let handles = vec![
            UvHandleInfo {
                handle_type: "tcp",
                fd: Some(5),
                is_closing: true,
                has_ref: true,
                ..Default::default()
            },
            UvHandleInfo {
                handle_type: "tcp",
                fd: Some(6),
                has_ref: false,
                ..Default::default()
            },
        ];
        let leaks = analyze_leaks(&input(vec![closing, unrefd]), &handles);
        assert_eq!(leaks.len(), 1);
        assert!(!leaks[0].has_ref);
        assert_eq!(leaks[0].description, "TCP socket (not connected)");
    }

    #[test]
    fn falls_back_to_the_cause_stack_and_says_so() {
        let mut accepted = resource("TCPWRAP", "Error\n    at onconnection (node:net:2:2)");
        accepted.cause_stack = Some(SERVER_STACK.into());
        accepted.cause_label = Some("accepted by the TCP server".into());
        let leaks = analyze_leaks(&input(vec![accepted]), &[]);
        assert_eq!(
            leaks[0]
                .site
                .as_ref()
                .map(CreationSite::position)
                .as_deref(),
            Some("src/server.ts:14:23")
        );
        assert_eq!(
            leaks[0].cause.as_deref(),
            Some("accepted by the TCP server")
        );
        assert!(leaks[0].top_frames.is_empty());
    }

    #[test]
    fn a_dependency_called_by_user_code_is_named_as_where_it_was_made() {
        let stack = "Error\n    at process.once (node:events:1:1)\n    at inner (/app/node_modules/lib/a.js:5:3)\n    at listen (/app/node_modules/lib/index.js:9:55)\n    at test (/app/test/x.test.js:3:1)";
        let leaks = analyze_leaks(&input(vec![resource("LISTENER", stack)]), &[]);
        let inside = leaks[0]
            .made_inside
            .as_ref()
            .map(|frame| (frame.function.clone(), frame.line));
        assert_eq!(
            inside,
            Some((Some("listen".to_owned()), 9)),
            "the outermost library frame: the call the user made"
        );
        let own = analyze_leaks(
            &input(vec![resource(
                "Timeout",
                "Error\n    at setTimeout (node:timers:1:1)\n    at test (/app/test/x.test.js:3:1)",
            )]),
            &[],
        );
        assert!(own[0].made_inside.is_none(), "the user's own line made it");
        let through_runner = analyze_leaks(
            &input(vec![resource("SIGNALWRAP", "Error\n    at startListeningIfSignal (node:internal/process/signal:1:1)\n    at process.emit (/app/node_modules/vitest/suppress-warnings.cjs:21:18)\n    at test (/app/test/x.test.js:3:1)")]),
            &[],
        );
        assert!(
            through_runner[0].made_inside.is_none(),
            "the runner's wrapper of a Node API made nothing"
        );
    }

    #[test]
    fn no_user_frame_keeps_top_frames() {
        let leaks = analyze_leaks(
            &input(vec![resource(
                "Immediate",
                "Error\n    at a (node:x:1:1)\n    at b (/lw/js/t.js:1:1)",
            )]),
            &[],
        );
        assert!(leaks[0].site.is_none());
        assert_eq!(
            leaks[0].top_frames.len(),
            1,
            "Node's frames give way to the first outside it"
        );
        assert_eq!(leaks[0].top_frames[0].file, "/lw/js/t.js");
        let only_node = analyze_leaks(
            &input(vec![resource("Immediate", "    at a (node:x:1:1)")]),
            &[],
        );
        assert_eq!(only_node[0].top_frames.len(), 1);
        assert_eq!(only_node[0].top_frames[0].file, "node:x");
    }

    #[test]
    fn timers_intervals_children_and_signals_in_words() {
        let mut interval = resource("Timeout", "");
        interval.repeats = true;
        interval.delay_ms = Some(30000.0);
        let mut child = resource("PROCESSWRAP", "");
        child.pid = Some(42);
        child.command = Some("sleep 10".into());
        let signal = resource("SIGNALWRAP", "");
        let handles = vec![UvHandleInfo {
            handle_type: "signal",
            signal: Some(15),
            ..Default::default()
        }];
        let leaks = analyze_leaks(
            &input(vec![interval, child, resource("PROMISE", "")]),
            &handles,
        );
        assert_eq!(leaks.len(), 2, "PROMISE is not a kind");
        assert_eq!(leaks[0].description, "Interval every 30000 ms");
        assert_eq!(leaks[1].description, "Child process pid 42 (sleep 10)");
        let mut with_signal = signal;
        with_signal.signal = Some("SIGTERM".into());
        let leaks = analyze_leaks(&input(vec![with_signal]), &[]);
        assert_eq!(leaks[0].description, "Signal handler for SIGTERM");
    }

    #[test]
    fn listeners_in_words() {
        let mut listener = resource("LISTENER", SERVER_STACK);
        listener.emitter = Some("process".into());
        listener.event = Some("SIGTERM".into());
        let leaks = analyze_leaks(&input(vec![listener]), &[]);
        assert_eq!(leaks[0].kind, ResourceKind::Listener);
        assert_eq!(leaks[0].description, "listener for \"SIGTERM\" on process");
        assert_eq!(leaks[0].emitter.as_deref(), Some("process"));
    }

    #[test]
    fn relative_paths_only_under_the_root() {
        assert_eq!(relative_to("/app", "/app/src/a.ts"), "src/a.ts");
        assert_eq!(relative_to("/app/", "/app/src/a.ts"), "src/a.ts");
        assert_eq!(
            relative_to("/app", "/application/a.ts"),
            "/application/a.ts"
        );
        assert_eq!(relative_to("", "/a.ts"), "/a.ts");
    }

    #[test]
    fn input_json_with_unknown_fields_and_missing_options_parses() {
        let json = r#"{"root":"/app","resources":[{"type":"Timeout","asyncId":3,"stack":"","hasRef":true,"delayMs":5,"extra":1}]}"#;
        let parsed: LeakCheckInput = serde_json::from_str(json).expect("parses");
        assert_eq!(parsed.resources[0].delay_ms, Some(5.0));
    }
}
