//! From the resources a scope left open to leaks a person can act on.
//!
//! The JS side decides which resources are still open (from the resources themselves, after a settle window) and
//! hands each over with its creation stack (formatted through source maps, parsed, each frame classified: see
//! `stack_frame`), and what it knows of it (fd, pid, delay, path). Here each becomes a [`Leak`]: its kind in words, what identifies it (with the addresses and
//! ref state read from libuv, matched by file descriptor), and the first frame in user code as its creation site.
//! Handles that libuv shows closing are dropped: they are on their way out, not leaks.

use crate::resource_kind::ResourceKind;
use crate::retainer_path_text::{render_retainer_path, TracedPath};
use crate::stack_frame::{dependency_name, user_frames, ClassifiedFrame, FrameOrigin, StackFrame};
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
    /// The stack captured at the resource's `init`, innermost frame first.
    pub frames: Vec<ClassifiedFrame>,
    /// A stack to use when `frames` has no user frame: that of the call that caused the creation (`listen()`, or
    /// the resource that triggered this one, such as the server that accepted a socket).
    pub cause_frames: Option<Vec<ClassifiedFrame>>,
    /// Said when the cause is another resource, e.g. "accepted by the TCP server".
    pub cause_label: Option<String>,
    /// The callbacks the resource was made in, innermost first, each with the stack of the code that scheduled it
    /// (a tick, a timer) or made it (a socket whose callback ran): followed when neither `frames` nor
    /// `cause_frames` has a user frame, up to the first hop that has one.
    pub callback_hops: Vec<CallbackHop>,
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
    /// A retained object's retainer path, from a GC root to it.
    pub retainer_path: Option<TracedPath>,
    /// Why a retained object has no path (the heap snapshot could not be analysed).
    pub no_retainer_path: Option<String>,
    /// Something the JS side noticed about the owner, e.g. that its `close` is a mock.
    pub note: Option<String>,
}

/// One callback on the way from a resource back to the user's code (see `OpenResource::callback_hops`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackHop {
    /// `TickObject` (`process.nextTick`), `Microtask` (`queueMicrotask`), or the async type of a recorded resource
    /// whose callback ran (`Timeout`, `Immediate`, `TCPWRAP`, ...).
    #[serde(rename = "type")]
    pub async_type: String,
    /// A `Timeout` that repeats: an interval.
    pub repeats: bool,
    /// The stack of the call that scheduled the callback, or that created the resource.
    pub frames: Vec<ClassifiedFrame>,
}

impl CallbackHop {
    /// The callback in words: `a process.nextTick callback`, `a callback of the TCP socket`.
    fn phrase(&self) -> String {
        match (self.async_type.as_str(), self.repeats) {
            ("TickObject", _) => "a process.nextTick callback".to_owned(),
            ("Microtask", _) => "a queueMicrotask callback".to_owned(),
            ("Immediate", _) => "a setImmediate callback".to_owned(),
            ("Timeout", false) => "a setTimeout callback".to_owned(),
            ("Timeout", true) => "a setInterval callback".to_owned(),
            (other, repeats) => match ResourceKind::from_async_type(other, repeats) {
                Some(kind) => format!("a callback of the {}", kind.name()),
                None => "a callback".to_owned(),
            },
        }
    }

    /// Its stack is the scheduling of a callback (a tick, a timer), not the creation of a resource that called back.
    fn is_scheduled(&self) -> bool {
        matches!(
            self.async_type.as_str(),
            "TickObject" | "Microtask" | "Immediate" | "Timeout"
        )
    }
}

/// What a scope is, for the heading of its report.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakCheckInput {
    /// The working directory of the run, in the frames' form of path; creation sites are shown relative to it.
    pub root: String,
    pub resources: Vec<OpenResource>,
}

/// Where a resource was created: the first frame in user code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// What tells a resource apart from others of its kind, as its description shows it (after libuv's word on the
/// addresses, pid, path and signal). Kept as data, not only in the words, so that leaks made at one place can be
/// described as one: `Interval every 60000–61999 ms`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LeakDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// A retained object in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
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
    /// The values the description is made of.
    #[serde(default)]
    pub details: LeakDetails,
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
        let (site, user_frames, top_frames, cause, made_inside) = locate(&input.root, resource);
        let details = details_of(resource, handle);
        let description = describe(
            kind,
            &DescriptionWords::of(
                &details,
                resource.event.as_deref(),
                resource.emitter.as_deref(),
            ),
        );
        leaks.push(Leak {
            async_id: resource.async_id,
            kind,
            async_type: resource.async_type.clone(),
            description,
            details,
            has_ref,
            site,
            user_frames,
            top_frames,
            made_inside,
            cause,
            note: resource.note.clone(),
            emitter: resource.emitter.clone(),
            event: resource.event.clone(),
            retainer_path: retainer_path_text(resource),
        });
    }
    leaks
}

/// A retained object's path as the report shows it, or why there is none.
fn retainer_path_text(resource: &OpenResource) -> Option<String> {
    match (&resource.retainer_path, &resource.no_retainer_path) {
        (Some(path), _) => Some(render_retainer_path(path)),
        (None, Some(reason)) => Some(format!("(no path: {reason})")),
        (None, None) => None,
    }
}

type Location = (
    Option<CreationSite>,
    Vec<StackFrame>,
    Vec<StackFrame>,
    Option<String>,
    Option<StackFrame>,
);

/// The outermost dependency frame above the first user frame: the library function the user's code called, which
/// made the resource inside. None when the user's own line made it, or only Node's (or the runner's) code lies between.
fn dependency_called(root: &str, frames: &[ClassifiedFrame]) -> Option<StackFrame> {
    let mut called = None;
    for frame in frames {
        match frame.origin {
            FrameOrigin::User => break,
            FrameOrigin::Dependency => called = Some(&frame.frame),
            FrameOrigin::Runner | FrameOrigin::Node | FrameOrigin::Leakwatch => {}
        }
    }
    called.map(|frame| StackFrame {
        file: relative_to(root, &frame.file),
        ..frame.clone()
    })
}

fn locate(root: &str, resource: &OpenResource) -> Location {
    let frames = &resource.frames;
    let own_user_frames = user_frames(frames);
    let made_inside = if own_user_frames.is_empty() {
        None
    } else {
        dependency_called(root, frames)
    };
    let (user_frames, cause) = if own_user_frames.is_empty() {
        let cause_user_frames = resource
            .cause_frames
            .as_deref()
            .map(user_frames)
            .unwrap_or_default();
        if cause_user_frames.is_empty() {
            through_callbacks(frames, &resource.callback_hops)
        } else {
            (cause_user_frames, resource.cause_label.clone())
        }
    } else {
        (own_user_frames, None)
    };
    let site = user_frames.first().map(|frame| creation_site(root, frame));
    // Without a user frame, the first frames outside Node say most: which dependency made it.
    let top_frames = if site.is_none() {
        let outside_node: Vec<&StackFrame> = frames
            .iter()
            .filter(|frame| frame.origin != FrameOrigin::Node)
            .take(TOP_FRAMES_WITHOUT_SITE)
            .map(|frame| &frame.frame)
            .collect();
        let shown: Vec<&StackFrame> = if outside_node.is_empty() {
            frames
                .iter()
                .take(TOP_FRAMES_WITHOUT_SITE)
                .map(|frame| &frame.frame)
                .collect()
        } else {
            outside_node
        };
        shown
            .into_iter()
            .map(|frame| StackFrame {
                file: relative_to(root, &frame.file),
                ..frame.clone()
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

/// The package of the first dependency frame (not the runner's) of `frames`, if any.
fn first_package(frames: &[ClassifiedFrame]) -> Option<String> {
    frames
        .iter()
        .filter(|frame| frame.origin == FrameOrigin::Dependency)
        .find_map(|frame| dependency_name(&frame.frame.file))
}

/// The user frames of the first callback hop that has any, and what the report says of the way there: which
/// package made the resource, in which callbacks. No user frame anywhere: nothing, and the report shows the top frames.
fn through_callbacks(
    own_frames: &[ClassifiedFrame],
    hops: &[CallbackHop],
) -> (Vec<StackFrame>, Option<String>) {
    let mut made_by = first_package(own_frames);
    for (index, hop) in hops.iter().enumerate() {
        let user_frames = user_frames(&hop.frames);
        if user_frames.is_empty() {
            if made_by.is_none() {
                made_by = first_package(&hop.frames);
            }
            continue;
        }
        let callbacks: Vec<String> = hops[..=index].iter().map(CallbackHop::phrase).collect();
        let verb = if hop.is_scheduled() {
            "scheduled"
        } else {
            "created"
        };
        let by = made_by
            .map(|package| format!("made by {package} "))
            .unwrap_or_default();
        let cause = format!("{by}in {} {verb} there", callbacks.join(", from "));
        return (user_frames, Some(cause));
    }
    (Vec::new(), None)
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

/// What identifies the resource: libuv's addresses win (they are the socket's own), JS's path and pid win (libuv's
/// are the same or missing).
fn details_of(resource: &OpenResource, handle: Option<&UvHandleInfo>) -> LeakDetails {
    LeakDetails {
        local_address: handle
            .and_then(|handle| handle.local_address.clone())
            .or_else(|| resource.local_address.clone()),
        peer_address: handle
            .and_then(|handle| handle.peer_address.clone())
            .or_else(|| resource.peer_address.clone()),
        pid: resource
            .pid
            .or_else(|| handle.and_then(|handle| handle.pid))
            .map(i64::from),
        command: resource.command.clone(),
        path: resource
            .path
            .clone()
            .or_else(|| handle.and_then(|handle| handle.path.clone())),
        fd: resource.fd.map(i64::from),
        delay_ms: resource.delay_ms,
        thread_id: resource.thread_id,
        signal: resource
            .signal
            .clone()
            .or_else(|| handle.and_then(|handle| handle.signal).map(signal_name)),
        object: resource.object.clone(),
    }
}

/// The values of a description as text: one leak's, or a group's (`leak_group`), where a value that differs
/// within the group reads as a range or as the first and how many more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DescriptionWords {
    pub local: Option<String>,
    pub peer: Option<String>,
    pub pid: Option<String>,
    pub command: Option<String>,
    pub path: Option<String>,
    pub fd: Option<String>,
    pub delay: Option<String>,
    pub thread_id: Option<String>,
    pub signal: Option<String>,
    pub object: Option<String>,
    pub event: Option<String>,
    pub emitter: Option<String>,
}

impl DescriptionWords {
    /// One leak's values, as they are.
    pub fn of(details: &LeakDetails, event: Option<&str>, emitter: Option<&str>) -> Self {
        Self {
            local: details.local_address.clone(),
            peer: details.peer_address.clone(),
            pid: details.pid.map(|pid| pid.to_string()),
            command: details.command.clone(),
            path: details.path.clone(),
            fd: details.fd.map(|fd| fd.to_string()),
            delay: details.delay_ms.map(format_delay),
            thread_id: details.thread_id.map(|id| id.to_string()),
            signal: details.signal.clone(),
            object: details.object.clone(),
            event: event.map(str::to_owned),
            emitter: emitter.map(str::to_owned),
        }
    }
}

/// A resource in words, with what identifies it: the one place a kind's description is written.
pub fn describe(kind: ResourceKind, words: &DescriptionWords) -> String {
    let DescriptionWords {
        local, peer, path, ..
    } = words;
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
            let mut text = "Child process".to_owned();
            if let Some(pid) = &words.pid {
                text.push_str(&format!(" pid {pid}"));
            }
            if let Some(command) = &words.command {
                text.push_str(&format!(" ({command})"));
            }
            text
        }
        ResourceKind::FsWatcher | ResourceKind::StatWatcher => match path {
            Some(path) => format!("{} on {path}", kind.name()),
            None => kind.name().to_owned(),
        },
        ResourceKind::Timeout => {
            format!("Timeout after {} ms", words.delay.as_deref().unwrap_or("?"))
        }
        ResourceKind::Interval => format!(
            "Interval every {} ms",
            words.delay.as_deref().unwrap_or("?")
        ),
        ResourceKind::Immediate => "Immediate (setImmediate)".to_owned(),
        ResourceKind::Worker => match &words.thread_id {
            Some(thread_id) => format!("Worker thread {thread_id}"),
            None => "Worker thread".to_owned(),
        },
        ResourceKind::MessagePort => "MessagePort (a MessageChannel end)".to_owned(),
        ResourceKind::SignalHandler => match &words.signal {
            Some(signal) => format!("Signal handler for {signal}"),
            None => "Signal handler".to_owned(),
        },
        ResourceKind::FileHandle => {
            let mut text = "File handle".to_owned();
            if let Some(fd) = &words.fd {
                text.push_str(&format!(" fd {fd}"));
            }
            if let Some(path) = path {
                text.push_str(&format!(" ({path})"));
            }
            text
        }
        ResourceKind::RetainedObject => format!(
            "{} still reachable after GC",
            words.object.as_deref().unwrap_or("an object")
        ),
        ResourceKind::Listener => format!(
            "listener for \"{}\" on {}",
            words.event.as_deref().unwrap_or("?"),
            words.emitter.as_deref().unwrap_or("an emitter")
        ),
    }
}

/// A delay as the description shows it: whole milliseconds without a fraction, `?` when not a number.
pub fn format_delay(delay: f64) -> String {
    if !delay.is_finite() {
        "?".to_owned()
    } else if delay.fract() == 0.0 {
        format!("{delay:.0}")
    } else {
        format!("{delay}")
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
    use crate::stack_frame::test_frames::{dependency, frame, node, user};

    fn input(resources: Vec<OpenResource>) -> LeakCheckInput {
        LeakCheckInput {
            root: "/app".into(),
            resources,
        }
    }

    fn resource(async_type: &str, frames: Vec<ClassifiedFrame>) -> OpenResource {
        OpenResource {
            async_type: async_type.into(),
            frames,
            has_ref: true,
            ..OpenResource::default()
        }
    }

    fn server_stack() -> Vec<ClassifiedFrame> {
        vec![
            node("Server.listen", "node:net"),
            user("start", "/app/src/server.ts", 14, 23),
            user("t", "/app/test/a.test.ts", 3, 5),
        ]
    }

    #[test]
    fn describes_a_server_from_libuv_by_fd() {
        let mut server = resource("TCPSERVERWRAP", server_stack());
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
        let mut server = resource("TCPSERVERWRAP", server_stack());
        server.local_address = Some("127.0.0.1:41873".into());
        let mut client = resource("TCPWRAP", server_stack());
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
        let mut closing = resource("TCPWRAP", server_stack());
        closing.fd = Some(5);
        let mut unrefd = resource("TCPWRAP", server_stack());
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
        let mut accepted = resource("TCPWRAP", vec![node("onconnection", "node:net")]);
        accepted.cause_frames = Some(server_stack());
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

    fn tick_socket_stack() -> Vec<ClassifiedFrame> {
        vec![
            node("Socket.connect", "node:net"),
            dependency(
                "",
                "/app/node_modules/ioredis/built/connectors/StandaloneConnector.js",
                54,
                66,
            ),
            node(
                "process.processTicksAndRejections",
                "node:internal/process/task_queues",
            ),
        ]
    }

    fn hop(async_type: &str, frames: Vec<ClassifiedFrame>) -> CallbackHop {
        CallbackHop {
            async_type: async_type.into(),
            repeats: false,
            frames,
        }
    }

    #[test]
    fn a_resource_made_in_a_library_tick_is_located_where_the_tick_was_scheduled() {
        let mut socket = resource("TCPWRAP", tick_socket_stack());
        socket.callback_hops = vec![hop(
            "TickObject",
            vec![
                node("process.nextTick", "node:internal/process/task_queues"),
                dependency(
                    "StandaloneConnector.connect",
                    "/app/node_modules/ioredis/built/connectors/StandaloneConnector.js",
                    43,
                    16,
                ),
                dependency(
                    "new Redis",
                    "/app/node_modules/ioredis/built/Redis.js",
                    77,
                    18,
                ),
                user("createRedis", "/app/src/redis.ts", 8, 10),
                user("start", "/app/src/server.ts", 20, 5),
                user("", "/app/test/a.test.ts", 12, 3),
            ],
        )];
        let leaks = analyze_leaks(&input(vec![socket]), &[]);
        let site = leaks[0].site.as_ref().expect("the scheduling line");
        assert_eq!(site.position(), "src/redis.ts:8:10");
        assert_eq!(site.function.as_deref(), Some("createRedis"));
        assert_eq!(
            leaks[0].cause.as_deref(),
            Some("made by ioredis in a process.nextTick callback scheduled there")
        );
        let callers: Vec<String> = leaks[0]
            .user_frames
            .iter()
            .map(|frame| format!("{}:{}", frame.file, frame.line))
            .collect();
        assert_eq!(callers, ["src/server.ts:20", "test/a.test.ts:12"]);
        assert!(leaks[0].top_frames.is_empty());
        assert!(
            leaks[0].made_inside.is_none(),
            "the fix is closing the client, not in the package"
        );
    }

    #[test]
    fn hops_are_followed_to_the_first_with_a_user_frame() {
        let mut socket = resource(
            "TCPWRAP",
            vec![
                node("Socket.connect", "node:net"),
                dependency("onImmediate", "/app/node_modules/pool/a.js", 3, 3),
            ],
        );
        socket.callback_hops = vec![
            hop(
                "Immediate",
                vec![
                    node("setImmediate", "node:timers"),
                    dependency("tick", "/app/node_modules/pool/a.js", 9, 9),
                ],
            ),
            hop(
                "TickObject",
                vec![
                    dependency("Pool.query", "/app/node_modules/pool/a.js", 20, 5),
                    user("test", "/app/test/a.test.ts", 4, 4),
                ],
            ),
            hop(
                "TickObject",
                vec![user("never", "/app/test/b.test.ts", 1, 1)],
            ),
        ];
        let leaks = analyze_leaks(&input(vec![socket]), &[]);
        assert_eq!(
            leaks[0]
                .site
                .as_ref()
                .map(CreationSite::position)
                .as_deref(),
            Some("test/a.test.ts:4:4")
        );
        assert_eq!(
            leaks[0].cause.as_deref(),
            Some("made by pool in a setImmediate callback, from a process.nextTick callback scheduled there")
        );
    }

    #[test]
    fn a_callback_of_a_recorded_resource_says_it_was_created_there() {
        let mut timer = resource(
            "Timeout",
            vec![
                node("setTimeout", "node:timers"),
                dependency("release", "/app/node_modules/pg-pool/index.js", 5, 5),
            ],
        );
        timer.callback_hops = vec![hop("TCPWRAP", server_stack())];
        let leaks = analyze_leaks(&input(vec![timer]), &[]);
        assert_eq!(
            leaks[0].cause.as_deref(),
            Some("made by pg-pool in a callback of the TCP socket created there")
        );
        let mut interval_hop = hop("Timeout", server_stack());
        interval_hop.repeats = true;
        let mut nodes = resource("TCPWRAP", vec![node("Socket.connect", "node:net")]);
        nodes.callback_hops = vec![interval_hop];
        let leaks = analyze_leaks(&input(vec![nodes]), &[]);
        assert_eq!(
            leaks[0].cause.as_deref(),
            Some("in a setInterval callback scheduled there"),
            "no package made it: none is named"
        );
    }

    #[test]
    fn hops_without_a_user_frame_leave_the_top_frames() {
        let mut socket = resource("TCPWRAP", tick_socket_stack());
        socket.callback_hops = vec![hop(
            "TickObject",
            vec![dependency(
                "reconnect",
                "/app/node_modules/ioredis/built/Redis.js",
                5,
                5,
            )],
        )];
        let leaks = analyze_leaks(&input(vec![socket]), &[]);
        assert!(leaks[0].site.is_none());
        assert!(leaks[0].cause.is_none());
        assert_eq!(
            leaks[0].top_frames[0].file,
            "node_modules/ioredis/built/connectors/StandaloneConnector.js"
        );
    }

    #[test]
    fn a_dependency_called_by_user_code_is_named_as_where_it_was_made() {
        let stack = vec![
            node("process.once", "node:events"),
            dependency("inner", "/app/node_modules/lib/a.js", 5, 3),
            dependency("listen", "/app/node_modules/lib/index.js", 9, 55),
            user("test", "/app/test/x.test.js", 3, 1),
        ];
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
                vec![
                    node("setTimeout", "node:timers"),
                    user("test", "/app/test/x.test.js", 3, 1),
                ],
            )]),
            &[],
        );
        assert!(own[0].made_inside.is_none(), "the user's own line made it");
        let through_runner = analyze_leaks(
            &input(vec![resource(
                "SIGNALWRAP",
                vec![
                    node("startListeningIfSignal", "node:internal/process/signal"),
                    frame(
                        FrameOrigin::Runner,
                        "process.emit",
                        "/app/node_modules/vitest/suppress-warnings.cjs",
                        21,
                        18,
                    ),
                    user("test", "/app/test/x.test.js", 3, 1),
                ],
            )]),
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
                vec![
                    node("a", "node:x"),
                    frame(FrameOrigin::Leakwatch, "b", "/lw/js/t.js", 1, 1),
                ],
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
            &input(vec![resource("Immediate", vec![node("a", "node:x")])]),
            &[],
        );
        assert_eq!(only_node[0].top_frames.len(), 1);
        assert_eq!(only_node[0].top_frames[0].file, "node:x");
    }

    #[test]
    fn timers_intervals_children_and_signals_in_words() {
        let mut interval = resource("Timeout", Vec::new());
        interval.repeats = true;
        interval.delay_ms = Some(30000.0);
        let mut child = resource("PROCESSWRAP", Vec::new());
        child.pid = Some(42);
        child.command = Some("sleep 10".into());
        let signal = resource("SIGNALWRAP", Vec::new());
        let handles = vec![UvHandleInfo {
            handle_type: "signal",
            signal: Some(15),
            ..Default::default()
        }];
        let leaks = analyze_leaks(
            &input(vec![interval, child, resource("PROMISE", Vec::new())]),
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
        let mut listener = resource("LISTENER", server_stack());
        listener.emitter = Some("process".into());
        listener.event = Some("SIGTERM".into());
        let leaks = analyze_leaks(&input(vec![listener]), &[]);
        assert_eq!(leaks[0].kind, ResourceKind::Listener);
        assert_eq!(leaks[0].description, "listener for \"SIGTERM\" on process");
        assert_eq!(leaks[0].emitter.as_deref(), Some("process"));
    }

    #[test]
    fn a_retained_object_s_path_is_rendered_and_a_missing_one_says_why() {
        let mut retained = resource("RETAINED", server_stack());
        retained.object = Some("App instance".into());
        retained.retainer_path = Some(
            serde_json::from_str(
                r#"{"root":"(GC roots)","steps":[{"holder":{"id":2,"label":"Array","sizes":"16 B self"},"edgeLabel":"[0]"}],
                    "target":{"id":3,"label":"App","sizes":"40 B self, retains 1.00 kB"}}"#,
            )
            .expect("a path"),
        );
        let mut unknown = resource("RETAINED", server_stack());
        unknown.no_retainer_path = Some("the heap snapshot could not be analysed: boom".into());
        let leaks = analyze_leaks(&input(vec![retained, unknown]), &[]);
        assert_eq!(
            leaks[0].description,
            "App instance still reachable after GC"
        );
        assert_eq!(
            leaks[0].retainer_path.as_deref(),
            Some("┬───\n│ GC Root: (GC roots)\n│\n├─ Array  (@2, 16 B self)\n│    ↓ [0]\n╰→ App  (@3, 40 B self, retains 1.00 kB)")
        );
        assert_eq!(
            leaks[1].retainer_path.as_deref(),
            Some("(no path: the heap snapshot could not be analysed: boom)")
        );
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
        assert_eq!(relative_to("C:/app", "C:/app/src/a.ts"), "src/a.ts");
        assert_eq!(relative_to("C:/app/", "C:/app/src/a.ts"), "src/a.ts");
        assert_eq!(relative_to("C:/app", "D:/app/src/a.ts"), "D:/app/src/a.ts");
    }

    #[test]
    fn windows_frames_are_located_and_shown_relative_to_the_root() {
        // As the JS side hands them over from `at f (C:\\app\\src\\a.ts:3:5)` and `file:///C:/app/...` lines.
        let frames = vec![
            node("Socket.connect", "node:net"),
            node(
                "process.processTicksAndRejections",
                "node:internal/process/task_queues",
            ),
            dependency("connect", "C:/app/node_modules/ioredis/x.js", 1, 1),
            user("f", "C:/app/src/a.ts", 3, 5),
            user("", "C:/app/test/a.test.ts", 7, 2),
        ];
        let leaks = analyze_leaks(
            &LeakCheckInput {
                root: "C:/app".into(),
                resources: vec![resource("TCPWRAP", frames)],
            },
            &[],
        );
        let site = leaks[0].site.as_ref().expect("a user frame");
        assert_eq!(site.position(), "src/a.ts:3:5");
        assert_eq!(site.absolute_file, "C:/app/src/a.ts");
        assert_eq!(leaks[0].user_frames[0].file, "test/a.test.ts");
        let inside = leaks[0].made_inside.as_ref().expect("made inside ioredis");
        assert_eq!(inside.file, "node_modules/ioredis/x.js");
        assert_eq!(dependency_name(&inside.file).as_deref(), Some("ioredis"));
    }

    #[test]
    fn input_json_with_unknown_fields_and_missing_options_parses() {
        let json = r#"{"root":"/app","resources":[{"type":"Timeout","asyncId":3,"frames":[],"hasRef":true,"delayMs":5,"extra":1}]}"#;
        let parsed: LeakCheckInput = serde_json::from_str(json).expect("parses");
        assert_eq!(parsed.resources[0].delay_ms, Some(5.0));
    }
}
