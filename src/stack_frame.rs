//! Creation stacks as the JS side hands them over: frames, each with whose code it runs.
//!
//! The JS side captures a stack at a resource's creation without formatting it; only the stacks of leaked resources
//! are formatted (through vitest's source-map support, so positions are those of the user's source file), parsed and
//! classified there (`js/core/stack-frames.js`, the one home of "is this frame the user's?", which the JS side needs
//! at every test's end with no addon loaded), with each file in one form of path: a `file://` URL decoded, a Windows
//! path with forward slashes (`C:/app/src/a.ts`). Here the frames are read, and the user's picked out.

use serde::{Deserialize, Serialize};

/// One frame of a V8 stack trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackFrame {
    /// The function as V8 names it (`WsHub.start`, `new Timeout`), or `None` for top-level code.
    pub function: Option<String>,
    /// A path, with forward slashes, or a location such as `node:internal/timers`.
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The frame ran after an `await` (V8's `at async f (...)`).
    #[serde(default)]
    pub is_async: bool,
}

/// Whose code a frame runs, which decides whether a report may point a person at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum FrameOrigin {
    /// Node's own (`node:`), or a native or anonymous frame that names no file.
    #[serde(rename = "node")]
    Node,
    /// The test runner's (`/node_modules/vitest/`): a dependency, but one that wraps Node's API (vitest's own
    /// `process.emit`) rather than one whose code made a resource.
    #[serde(rename = "runner")]
    Runner,
    /// Under `node_modules`.
    #[serde(rename = "dependency")]
    Dependency,
    #[serde(rename = "leakwatch")]
    Leakwatch,
    /// The user's: the line a person should open.
    #[serde(rename = "user")]
    User,
}

/// A frame and whose code it runs, as the JS side classified it.
#[derive(Clone, Debug, Deserialize)]
pub struct ClassifiedFrame {
    #[serde(flatten)]
    pub frame: StackFrame,
    pub origin: FrameOrigin,
}

/// The frames in user code, innermost first: the first is the creation site, the others the call chain a report may
/// show after it.
pub fn user_frames(frames: &[ClassifiedFrame]) -> Vec<StackFrame> {
    frames
        .iter()
        .filter(|frame| frame.origin == FrameOrigin::User)
        .map(|frame| frame.frame.clone())
        .collect()
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

/// Frames for the tests of the modules that read them, written as the JS side would classify them.
#[cfg(test)]
pub(crate) mod test_frames {
    use super::{ClassifiedFrame, FrameOrigin, StackFrame};

    pub fn frame(
        origin: FrameOrigin,
        function: &str,
        file: &str,
        line: u32,
        column: u32,
    ) -> ClassifiedFrame {
        ClassifiedFrame {
            frame: StackFrame {
                function: (!function.is_empty()).then(|| function.to_owned()),
                file: file.to_owned(),
                line,
                column,
                is_async: false,
            },
            origin,
        }
    }

    pub fn node(function: &str, file: &str) -> ClassifiedFrame {
        frame(FrameOrigin::Node, function, file, 1, 1)
    }

    pub fn user(function: &str, file: &str, line: u32, column: u32) -> ClassifiedFrame {
        frame(FrameOrigin::User, function, file, line, column)
    }

    pub fn dependency(function: &str, file: &str, line: u32, column: u32) -> ClassifiedFrame {
        frame(FrameOrigin::Dependency, function, file, line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_from_the_js_side_parse_with_their_origin() {
        let json = r#"[
            {"function":"new Timeout","file":"node:internal/timers","line":186,"column":17,"isAsync":false,"origin":"node"},
            {"function":null,"file":"C:/app/src/a.ts","line":3,"column":5,"isAsync":true,"origin":"user"},
            {"function":"connect","file":"C:/app/node_modules/ioredis/x.js","line":1,"column":1,"isAsync":false,"origin":"dependency"}
        ]"#;
        let frames: Vec<ClassifiedFrame> = serde_json::from_str(json).expect("parses");
        assert_eq!(frames[0].origin, FrameOrigin::Node);
        assert_eq!(frames[0].frame.function.as_deref(), Some("new Timeout"));
        assert!(frames[1].frame.is_async);
        let users = user_frames(&frames);
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].file, "C:/app/src/a.ts");
        assert_eq!(users[0].function, None);
        assert_eq!(
            dependency_name(&frames[2].frame.file).as_deref(),
            Some("ioredis")
        );
        let unknown = serde_json::from_str::<ClassifiedFrame>(
            r#"{"file":"/a.js","line":1,"column":1,"origin":"mine"}"#,
        );
        assert!(
            unknown.is_err(),
            "an origin the JS side does not give is an error"
        );
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
        assert_eq!(
            dependency_name("C:/app/node_modules/@fastify/ws/i.js").as_deref(),
            Some("@fastify/ws"),
            "a Windows path, in the one form the JS side gives"
        );
        assert_eq!(dependency_name("/app/src/a.ts"), None);
        assert_eq!(dependency_name("/app/node_modules/"), None);
        assert_eq!(dependency_name("/app/node_modules/@scope"), None);
    }
}
