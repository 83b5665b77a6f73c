//! Creation stacks: parsing V8's stack text and finding the frame in user code.
//!
//! The JS side captures a stack at a resource's creation without formatting it; only the stacks of leaked
//! resources are formatted (through vitest's source-map support, so positions are those of the user's source
//! file) and passed here. A "user frame" is one that is not Node's (`node:`), not a dependency's
//! (`node_modules`), not leakwatch's own, and not an anonymous or native frame: the line a person should open.

use serde::{Deserialize, Serialize};

/// One frame of a V8 stack trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackFrame {
    /// The function as V8 names it (`WsHub.start`, `new Timeout`), or `None` for top-level code.
    pub function: Option<String>,
    /// A file path (from a `file://` URL, decoded) or a location such as `node:internal/timers`.
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The frame ran after an `await` (V8's `at async f (...)`).
    pub is_async: bool,
}

/// Where a frame's code comes from, which decides whether a report may point a person at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameOrigin {
    NodeInternal,
    Dependency,
    Leakwatch,
    User,
}

/// Parses the frames of a stack text (`Error\n    at f (file:1:2)\n...`). Lines that are not frames (the message,
/// `    at native`, frames without a position) are skipped, never an error: a stack is a hint, not input to trust.
pub fn parse_stack(stack: &str) -> Vec<StackFrame> {
    stack.lines().filter_map(parse_frame_line).collect()
}

fn parse_frame_line(line: &str) -> Option<StackFrame> {
    let rest = line.trim_start().strip_prefix("at ")?;
    let (is_async, rest) = match rest.strip_prefix("async ") {
        Some(after) => (true, after),
        None => (false, rest),
    };
    let (function, location) = split_function_and_location(rest.trim_end());
    // `eval at f (file:1:2), <anonymous>:1:1`: the eval'd code has no file of its own; point at the eval call.
    let location = match location.strip_prefix("eval at ") {
        Some(eval_site) => innermost_parenthesised(eval_site)?,
        None => location,
    };
    let (file, line_number, column) = split_position(location)?;
    Some(StackFrame {
        function: function.map(str::to_owned),
        file: file_from_location(file),
        line: line_number,
        column,
        is_async,
    })
}

/// `f (loc)` → (Some(f), loc); `loc` → (None, loc). The location is the last parenthesised group, found by
/// matching parentheses from the end, since function names and eval locations contain parentheses too.
fn split_function_and_location(text: &str) -> (Option<&str>, &str) {
    if !text.ends_with(')') {
        return (None, text);
    }
    let mut depth = 0usize;
    for (index, ch) in text.char_indices().rev() {
        match ch {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let function = text[..index].trim_end();
                    let location = &text[index + 1..text.len() - 1];
                    return ((!function.is_empty()).then_some(function), location);
                }
            }
            _ => {}
        }
    }
    (None, text)
}

fn innermost_parenthesised(text: &str) -> Option<&str> {
    let open = text.find('(')?;
    let after = &text[open + 1..];
    let close = after.find(')')?;
    let inner = &after[..close];
    Some(innermost_parenthesised(inner).unwrap_or(inner))
}

/// `path:line:column` → parts; the path may itself contain colons (`file:///a:b/c.ts:1:2`, `node:fs:3:4`).
fn split_position(location: &str) -> Option<(&str, u32, u32)> {
    let (rest, column) = location.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    let line = line.parse().ok()?;
    let column = column.parse().ok()?;
    (!file.is_empty()).then_some((file, line, column))
}

fn file_from_location(location: &str) -> String {
    match location.strip_prefix("file://") {
        Some(path) => percent_decode(path),
        None => location.to_owned(),
    }
}

/// Decodes `%XX` escapes of a `file://` URL path; an invalid escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The package a file belongs to: `ioredis` for `/app/node_modules/ioredis/built/x.js`, `@scope/name` for scoped.
pub fn dependency_name(file: &str) -> Option<String> {
    // A path relative to the root may start with the folder itself.
    let after = match file.rsplit_once("/node_modules/") {
        Some((_, after)) => after,
        None => file.strip_prefix("node_modules/")?,
    };
    let mut segments = after.split('/');
    let first = segments.next().filter(|segment| !segment.is_empty())?;
    if first.starts_with('@') {
        let second = segments.next().filter(|segment| !segment.is_empty())?;
        Some(format!("{first}/{second}"))
    } else {
        Some(first.to_owned())
    }
}

/// Tells user code from Node's, dependencies' and leakwatch's own.
#[derive(Clone, Debug, Default)]
pub struct FrameClassifier {
    /// Directories holding leakwatch's own JS; frames there are never a creation site.
    pub own_dirs: Vec<String>,
    /// Path fragments of the test runner's code (`/node_modules/vitest/`): a dependency, but one that wraps Node's
    /// API (vitest's own `process.emit`) rather than one whose code made a resource.
    pub runner_dirs: Vec<String>,
}

impl FrameClassifier {
    /// The frame is the test runner's (see `runner_dirs`).
    pub fn is_runner(&self, frame: &StackFrame) -> bool {
        self.runner_dirs
            .iter()
            .any(|dir| !dir.is_empty() && frame.file.contains(dir.as_str()))
    }

    pub fn origin(&self, frame: &StackFrame) -> FrameOrigin {
        let file = frame.file.as_str();
        if file.starts_with("node:")
            || file.starts_with("internal/")
            || file == "native"
            || file.starts_with('<')
            || !file.contains('/')
        {
            FrameOrigin::NodeInternal
        } else if file.contains("/node_modules/") {
            FrameOrigin::Dependency
        } else if self
            .own_dirs
            .iter()
            .any(|dir| !dir.is_empty() && file.starts_with(dir.as_str()))
        {
            FrameOrigin::Leakwatch
        } else {
            FrameOrigin::User
        }
    }

    /// The first frame a person should open: the innermost one in user code.
    pub fn first_user_frame<'a>(&self, frames: &'a [StackFrame]) -> Option<&'a StackFrame> {
        frames
            .iter()
            .find(|frame| self.origin(frame) == FrameOrigin::User)
    }

    /// The frames in user code, innermost first: the call chain a report may show after the creation site.
    pub fn user_frames(&self, frames: &[StackFrame]) -> Vec<StackFrame> {
        frames
            .iter()
            .filter(|frame| self.origin(frame) == FrameOrigin::User)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMER_STACK: &str = "Error\n    at new Timeout (node:internal/timers:186:17)\n    at setInterval (node:timers:210:20)\n    at WsHub.start (/app/src/ws/hub.ts:41:22)\n    at async createServer (file:///app/src/my%20server.ts:12:3)\n    at Object.<anonymous> (/app/node_modules/vitest/dist/x.js:1:1)";

    #[test]
    fn parses_named_anonymous_async_and_url_frames() {
        let frames = parse_stack(TIMER_STACK);
        assert_eq!(frames.len(), 5);
        assert_eq!(frames[0].function.as_deref(), Some("new Timeout"));
        assert_eq!(frames[0].file, "node:internal/timers");
        assert_eq!((frames[2].line, frames[2].column), (41, 22));
        assert!(frames[3].is_async);
        assert_eq!(frames[3].file, "/app/src/my server.ts");
        let top_level = parse_stack("    at file:///t/a.test.js:3:9");
        assert_eq!(top_level[0].function, None);
        assert_eq!(top_level[0].file, "/t/a.test.js");
    }

    #[test]
    fn function_names_with_parentheses_and_eval_frames() {
        let frames = parse_stack(
            "    at Foo.<computed> [as bar] (/a/b.js:1:2)\n    at eval (eval at run (/a/c.js:5:6), <anonymous>:1:1)",
        );
        assert_eq!(
            frames[0].function.as_deref(),
            Some("Foo.<computed> [as bar]")
        );
        assert_eq!(frames[1].file, "/a/c.js");
        assert_eq!((frames[1].line, frames[1].column), (5, 6));
    }

    #[test]
    fn garbage_lines_are_skipped_not_errors() {
        assert!(parse_stack("").is_empty());
        assert!(
            parse_stack("at\nat (\nat x:y:z\n    at native\n    at f (a.js:notanumber:1)")
                .is_empty()
        );
        assert!(parse_stack("    at f (:1:2)").is_empty());
    }

    #[test]
    fn first_user_frame_skips_node_dependencies_and_leakwatch() {
        let classifier = FrameClassifier {
            own_dirs: vec!["/lw/js/".into()],
            runner_dirs: Vec::new(),
        };
        let stack = "    at a (node:net:1:1)\n    at b (/lw/js/tracker.js:2:2)\n    at c (/app/node_modules/ioredis/x.js:3:3)\n    at d (/app/src/redis.ts:8:10)\n    at e (/app/test/x.test.ts:4:4)";
        let frames = parse_stack(stack);
        let first = classifier.first_user_frame(&frames).expect("a user frame");
        assert_eq!(first.function.as_deref(), Some("d"));
        assert_eq!(classifier.user_frames(&frames).len(), 2);
        assert_eq!(classifier.origin(&frames[1]), FrameOrigin::Leakwatch);
        assert_eq!(classifier.origin(&frames[2]), FrameOrigin::Dependency);
    }

    #[test]
    fn a_stack_with_only_internal_frames_has_no_user_frame() {
        let classifier = FrameClassifier::default();
        let frames = parse_stack("    at listenInCluster (node:net:1:1)\n    at process.processTicksAndRejections (node:internal/process/task_queues:77:11)");
        assert!(classifier.first_user_frame(&frames).is_none());
    }

    #[test]
    fn dependency_name_reads_absolute_and_root_relative_paths() {
        assert_eq!(
            dependency_name("/app/node_modules/ioredis/built/x.js").as_deref(),
            Some("ioredis")
        );
        assert_eq!(
            dependency_name("node_modules/@scope/pkg/x.js").as_deref(),
            Some("@scope/pkg")
        );
        assert_eq!(dependency_name("src/node_modules.js"), None);
    }

    #[test]
    fn dependency_names_from_paths() {
        assert_eq!(
            dependency_name("/app/node_modules/ioredis/built/x.js").as_deref(),
            Some("ioredis")
        );
        assert_eq!(
            dependency_name("/a/node_modules/x/node_modules/@fastify/ws/i.js").as_deref(),
            Some("@fastify/ws")
        );
        assert_eq!(dependency_name("/app/src/a.ts"), None);
        assert_eq!(dependency_name("/app/node_modules/"), None);
        assert_eq!(dependency_name("/app/node_modules/@scope"), None);
    }
}
