//! The text of a `LeakError`: what a person reads when a test fails for a leak.
//!
//! The bar (DESIGN section 2): name the test; each resource in words; the first frame in user code with a code
//! frame; identical creation sites grouped with a count; a fix hint for each kind found.

use crate::code_frame::CodeFrameRenderer;
use crate::leak_group::{group_leaks, LeakGroup};
use crate::leak_report::{CreationSite, Leak};
use crate::resource_kind::ResourceKind;
use crate::stack_frame::{dependency_name, StackFrame};
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};

/// What to render.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportTextInput {
    /// Who leaked, e.g. `test "accepts a message"` or `file tests/a.test.ts (beforeAll and module level)`.
    pub subject: String,
    pub leaks: Vec<Leak>,
    /// A line to add to the fix hint for this scope (e.g. where beforeAll resources should be closed).
    #[serde(default)]
    pub scope_hint: Option<String>,
    /// Tests ran concurrently, so a resource may belong to another test of the same file.
    #[serde(default)]
    pub attribution_uncertain: bool,
    /// Whose end the report is about, which decides how the fix is worded.
    #[serde(default)]
    pub wording: ReportWording,
}

/// A test's end (the default) or a service's own shutdown (`assertCleanShutdown`): the leaks are the same, the fix
/// is someone else's (the test's cleanup, or the service's `stop()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportWording {
    #[default]
    Test,
    Shutdown,
}

impl ReportWording {
    fn listener_liveness(self) -> &'static str {
        match self {
            Self::Test => "still attached: the emitter outlives the test",
            Self::Shutdown => "still attached: the emitter outlives the service",
        }
    }

    fn fix_heading(self) -> &'static str {
        match self {
            Self::Test => "close what was opened before the test ends, e.g. in a finally block or an afterEach:",
            Self::Shutdown => "the service's stop() should close each of these, and wait for them to close:",
        }
    }

    fn accept_hint(self) -> &'static str {
        match self {
            Self::Test => "allowLeaks() in the test, or an ignore rule in configure().",
            Self::Shutdown => "an ignore rule, assertCleanShutdown(fn, { ignore: [...] }).",
        }
    }
}

/// Code frames shown in one report; further groups show their position only, to keep a report readable.
const MAX_CODE_FRAMES: usize = 3;
/// Creation sites shown in one report; the rest are counted in one line. `LeakError.leaks` holds every leak.
pub const MAX_SITES_SHOWN: usize = 10;

/// The lines a report has shown a code frame of: at most `MAX_CODE_FRAMES`, and each once (a listener loop over
/// events makes several groups at one line).
#[derive(Default)]
struct CodeFramesShown {
    lines: HashSet<(String, u32)>,
}

impl CodeFramesShown {
    fn wants(&self, site: &CreationSite) -> bool {
        self.lines.len() < MAX_CODE_FRAMES
            && !self
                .lines
                .contains(&(site.absolute_file.clone(), site.line))
    }
}

/// Renders the report text (the `LeakError` message, without the `LeakError: ` prefix).
pub fn render_report(input: &ReportTextInput) -> String {
    let mut out = format!("{} left {}\n", input.subject, what_was_left(&input.leaks));
    if input.attribution_uncertain {
        out.push_str(
            "  (tests ran concurrently: some of these may belong to another test of this file)\n",
        );
    }
    out.push('\n');
    let mut code_frames = CodeFrameRenderer::default();
    let mut frames_shown = CodeFramesShown::default();
    let groups = group_leaks(&input.leaks);
    for group in groups.iter().take(MAX_SITES_SHOWN) {
        render_group(
            &mut out,
            group,
            input.wording,
            &mut code_frames,
            &mut frames_shown,
        );
    }
    if let Some(hidden) = groups
        .get(MAX_SITES_SHOWN..)
        .filter(|rest| !rest.is_empty())
    {
        let leaks: usize = hidden.iter().map(LeakGroup::count).sum();
        out.push_str(&format!(
            "  … and {} more creation site{} ({leaks} more {}), not shown: `LeakError.leaks` lists every one\n",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" },
            if leaks == 1 { "leak" } else { "leaks" },
        ));
    }
    render_fix(
        &mut out,
        &input.leaks,
        input.scope_hint.as_deref(),
        input.wording,
    );
    out
}

/// `3 resources open`, `1 listener attached`, `2 resources open, 1 listener attached and 1 object still reachable`.
fn what_was_left(leaks: &[Leak]) -> String {
    let plural =
        |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    let count = |kind: ResourceKind| leaks.iter().filter(|leak| leak.kind == kind).count();
    let listeners = count(ResourceKind::Listener);
    let retained = count(ResourceKind::RetainedObject);
    let resources = leaks.len() - listeners - retained;
    let parts: Vec<String> = [
        (resources, plural(resources, "resource") + " open"),
        (listeners, plural(listeners, "listener") + " attached"),
        (retained, plural(retained, "object") + " still reachable"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(_, text)| text)
    .collect();
    match parts.as_slice() {
        [] => "0 resources open".to_owned(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn render_group(
    out: &mut String,
    group: &LeakGroup<'_>,
    wording: ReportWording,
    code_frames: &mut CodeFrameRenderer,
    frames_shown: &mut CodeFramesShown,
) {
    let leak = group.first();
    let count = if group.count() > 1 {
        format!("{} × ", group.count())
    } else {
        String::new()
    };
    let liveness = match (leak.kind, leak.has_ref) {
        (ResourceKind::FileHandle, _) => "holds an open file descriptor",
        (ResourceKind::Listener, _) => wording.listener_liveness(),
        (ResourceKind::RetainedObject, _) => "should be garbage: something still references it",
        (_, true) => "keeps the process alive",
        (_, false) => "unref'd: does not keep the process alive",
    };
    out.push_str(&format!(
        "  ● {count}{}  ({liveness})\n",
        group.description()
    ));
    match &leak.site {
        Some(site) => {
            let via = leak
                .cause
                .as_deref()
                .map(|cause| format!(" ({cause})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "    created at {}{via}\n",
                frame_text(site.function.as_deref(), &site.position())
            ));
            if frames_shown.wants(site) {
                if let Some(frame) = code_frames.render(&site.absolute_file, site.line, "      ") {
                    out.push_str(&frame);
                    frames_shown
                        .lines
                        .insert((site.absolute_file.clone(), site.line));
                }
            }
            for caller in &leak.user_frames {
                out.push_str(&format!("      called from {}\n", stack_frame_text(caller)));
            }
            if let Some(inside) = &leak.made_inside {
                let package = dependency_name(&inside.file).unwrap_or_else(|| inside.file.clone());
                // A handler a package adds to the process for each call is the package's to remove; a client's socket
                // or timer is closed through the object the call gave back (the fix below).
                let whose = match leak.kind {
                    ResourceKind::Listener | ResourceKind::SignalHandler => {
                        ": the fix belongs in that package (or call it less often)"
                    }
                    _ => "",
                };
                out.push_str(&format!(
                    "    made inside {package}, by {}{whose}; the line above is the call that ran it\n",
                    stack_frame_text(inside)
                ));
            }
        }
        None => {
            let creator = leak
                .top_frames
                .iter()
                .find_map(|frame| dependency_name(&frame.file))
                .map_or_else(|| "by Node".to_owned(), |name| format!("inside {name}"));
            out.push_str(&format!(
                "    created {creator}, in a callback with no frame of your code on the stack; it begins:\n"
            ));
            // Not `at ...`: test runners read such lines of an error as its stack and point at them.
            for frame in &leak.top_frames {
                out.push_str(&format!("      ↳ {}\n", stack_frame_text(frame)));
            }
        }
    }
    if let Some(path) = &leak.retainer_path {
        out.push_str("    retained by:\n");
        for line in path.lines() {
            out.push_str(&format!("      {line}\n"));
        }
    }
    if let Some(note) = &leak.note {
        out.push_str(&format!("    note: {note}\n"));
    }
}

fn frame_text(function: Option<&str>, position: &str) -> String {
    match function {
        Some(function) => format!("{function} ({position})"),
        None => position.to_owned(),
    }
}

fn stack_frame_text(frame: &StackFrame) -> String {
    frame_text(
        frame.function.as_deref(),
        &format!("{}:{}:{}", frame.file, frame.line, frame.column),
    )
}

fn render_fix(out: &mut String, leaks: &[Leak], scope_hint: Option<&str>, wording: ReportWording) {
    let kinds: BTreeSet<ResourceKind> = leaks.iter().map(|leak| leak.kind).collect();
    out.push_str(&format!("\n  Fix: {}\n", wording.fix_heading()));
    for kind in kinds {
        out.push_str(&format!("    - {}: {}\n", kind.name(), kind.fix_hint()));
    }
    if let Some(hint) = scope_hint {
        out.push_str(&format!("    {hint}\n"));
    }
    out.push_str(&format!(
        "    To accept a resource on purpose: {}\n",
        wording.accept_hint()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn leak(kind: ResourceKind, description: &str, site: Option<CreationSite>) -> Leak {
        Leak {
            async_id: 0,
            kind,
            async_type: String::new(),
            description: description.into(),
            details: crate::leak_report::LeakDetails::default(),
            has_ref: true,
            site,
            user_frames: Vec::new(),
            top_frames: Vec::new(),
            made_inside: None,
            cause: None,
            note: None,
            emitter: None,
            event: None,
            retainer_path: None,
        }
    }

    fn site(file: &str, absolute_file: &str, line: u32) -> CreationSite {
        CreationSite {
            function: Some("start".into()),
            file: file.into(),
            absolute_file: absolute_file.into(),
            line,
            column: 3,
        }
    }

    #[test]
    fn renders_heading_code_frame_group_count_and_fix() {
        let dir =
            std::env::temp_dir().join(format!("leakwatch-report-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("server.ts");
        let mut file = std::fs::File::create(&path).expect("temp file");
        writeln!(file, "const a = 1\nconst b = 2\napp.listen({{ port: 0 }})").expect("write");
        let absolute = path.to_string_lossy().into_owned();
        let server_site = site("src/server.ts", &absolute, 3);
        let timer_site = site("src/hub.ts", "/nonexistent/hub.ts", 41);
        let input = ReportTextInput {
            subject: "test \"accepts a message\"".into(),
            leaks: vec![
                leak(
                    ResourceKind::TcpServer,
                    "TCP server listening on 127.0.0.1:1",
                    Some(server_site),
                ),
                leak(
                    ResourceKind::Interval,
                    "Interval every 30000 ms",
                    Some(timer_site.clone()),
                ),
                leak(
                    ResourceKind::Interval,
                    "Interval every 30000 ms",
                    Some(timer_site),
                ),
            ],
            scope_hint: None,
            attribution_uncertain: false,
            wording: ReportWording::Test,
        };
        let text = render_report(&input);
        assert!(
            text.starts_with("test \"accepts a message\" left 3 resources open\n\n"),
            "{text}"
        );
        assert!(
            text.contains("  ● TCP server listening on 127.0.0.1:1  (keeps the process alive)\n"),
            "{text}"
        );
        assert!(
            text.contains("    created at start (src/server.ts:3:3)\n"),
            "{text}"
        );
        assert!(
            text.contains("      > 3 | app.listen({ port: 0 })\n"),
            "{text}"
        );
        assert!(text.contains("  ● 2 × Interval every 30000 ms"), "{text}");
        assert!(
            text.contains("    - TCP server: close the server"),
            "{text}"
        );
        assert!(
            text.contains("    - Interval: clear the interval"),
            "{text}"
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_report_shows_so_many_sites_and_counts_the_rest_in_one_line() {
        let leaks: Vec<Leak> = (0..2000)
            .map(|line| {
                leak(
                    ResourceKind::Timeout,
                    "Timeout after 5 ms",
                    Some(site("src/a.ts", "/nonexistent/a.ts", line + 1)),
                )
            })
            .collect();
        let input = ReportTextInput {
            subject: "test \"t\"".into(),
            leaks,
            scope_hint: None,
            attribution_uncertain: false,
            wording: ReportWording::Test,
        };
        let text = render_report(&input);
        assert!(
            text.starts_with("test \"t\" left 2000 resources open\n"),
            "{text}"
        );
        assert_eq!(text.matches("  ● ").count(), MAX_SITES_SHOWN, "{text}");
        assert!(
            text.contains("  … and 1990 more creation sites (1990 more leaks), not shown: `LeakError.leaks` lists every one\n"),
            "{text}"
        );
        assert!(text.lines().count() < 40, "{text}");
        assert!(
            text.contains("    - Timeout: "),
            "the fix still names every kind: {text}"
        );
    }

    #[test]
    fn a_line_that_made_several_groups_shows_its_code_frame_once() {
        let dir =
            std::env::temp_dir().join(format!("leakwatch-report-frames-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("bus.js");
        std::fs::write(&path, "for (const name of names) bus.on(name, handler)\n").expect("write");
        let absolute = path.to_string_lossy().into_owned();
        let leaks = ["a", "b", "c"]
            .iter()
            .map(|event| {
                let mut listener = leak(
                    ResourceKind::Listener,
                    &format!("listener for \"{event}\" on EventEmitter"),
                    Some(site("bus.js", &absolute, 1)),
                );
                listener.event = Some((*event).into());
                listener
            })
            .collect();
        let text = render_report(&ReportTextInput {
            subject: "test \"t\"".into(),
            leaks,
            scope_hint: None,
            attribution_uncertain: false,
            wording: ReportWording::Test,
        });
        assert_eq!(text.matches("  ● listener for").count(), 3, "{text}");
        assert_eq!(text.matches("> 1 | for (const name").count(), 1, "{text}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_package_is_where_the_fix_belongs_for_its_handlers_not_for_a_clients_socket() {
        let inside = crate::stack_frame::parse_stack(
            "    at BoundPool.query (node_modules/pg-pool/index.js:449:10)",
        );
        let mut socket = leak(
            ResourceKind::TcpSocket,
            "TCP socket",
            Some(site("a.test.js", "/nonexistent/a.test.js", 25)),
        );
        socket.made_inside = inside.first().cloned();
        let mut listener = socket.clone();
        listener.kind = ResourceKind::Listener;
        let render = |leak: Leak| {
            render_report(&ReportTextInput {
                subject: "test \"t\"".into(),
                leaks: vec![leak],
                scope_hint: None,
                attribution_uncertain: false,
                wording: ReportWording::Test,
            })
        };
        let text = render(socket);
        assert!(text.contains("    made inside pg-pool, by BoundPool.query (node_modules/pg-pool/index.js:449:10); the line above is the call that ran it\n"), "{text}");
        let text = render(listener);
        assert!(text.contains("(node_modules/pg-pool/index.js:449:10): the fix belongs in that package (or call it less often); the line above"), "{text}");
    }

    #[test]
    fn headings_count_resources_and_listeners_apart() {
        let timer = leak(ResourceKind::Timeout, "Timeout after 1 ms", None);
        let listener = leak(
            ResourceKind::Listener,
            "listener for \"SIGTERM\" on process",
            None,
        );
        assert_eq!(
            what_was_left(std::slice::from_ref(&listener)),
            "1 listener attached"
        );
        assert_eq!(
            what_was_left(&[timer.clone(), timer.clone()]),
            "2 resources open"
        );
        assert_eq!(
            what_was_left(&[timer, listener.clone(), listener]),
            "1 resource open and 2 listeners attached"
        );
    }

    #[test]
    fn unknown_sites_show_the_top_of_the_stack_and_singular_heading() {
        let mut orphan = leak(ResourceKind::Immediate, "Immediate (setImmediate)", None);
        orphan.top_frames = crate::stack_frame::parse_stack("    at x (node:timers:1:2)");
        orphan.has_ref = false;
        let input = ReportTextInput {
            subject: "test \"t\"".into(),
            leaks: vec![orphan],
            scope_hint: Some(
                "Resources made in beforeAll belong to the file: close them in afterAll.".into(),
            ),
            attribution_uncertain: true,
            wording: ReportWording::Test,
        };
        let text = render_report(&input);
        assert!(
            text.starts_with("test \"t\" left 1 resource open\n"),
            "{text}"
        );
        assert!(text.contains("unref'd"), "{text}");
        assert!(text.contains("      ↳ x (node:timers:1:2)\n"), "{text}");
        assert!(text.contains("created by Node, in a callback"), "{text}");
        assert!(text.contains("close them in afterAll"), "{text}");
        assert!(text.contains("tests ran concurrently"), "{text}");
    }

    #[test]
    fn a_shutdown_report_puts_the_fix_on_the_service() {
        let input: ReportTextInput = serde_json::from_value(serde_json::json!({
            "subject": "shutdown of the service",
            "leaks": [],
            "wording": "shutdown",
        }))
        .expect("valid input");
        let mut with_leak = input.clone();
        with_leak.leaks.push(leak(
            ResourceKind::Listener,
            "listener for \"SIGTERM\" on process",
            None,
        ));
        let text = render_report(&with_leak);
        assert!(
            text.contains("(still attached: the emitter outlives the service)"),
            "{text}"
        );
        assert!(
            text.contains("Fix: the service's stop() should close each of these"),
            "{text}"
        );
        assert!(
            text.contains("assertCleanShutdown(fn, { ignore: [...] })"),
            "{text}"
        );
        assert!(!text.contains("the test"), "{text}");
        let unknown = serde_json::from_value::<ReportTextInput>(serde_json::json!({
            "subject": "x", "leaks": [], "wording": "suite",
        }));
        assert!(unknown.is_err());
    }

    #[test]
    fn one_helper_line_called_from_two_places_is_two_groups_with_one_code_frame() {
        let dir =
            std::env::temp_dir().join(format!("leakwatch-report-callers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("redis.ts");
        std::fs::write(
            &path,
            "export function createRedis(url) {\n  return new Redis(url)\n}\n",
        )
        .expect("write");
        let absolute = path.to_string_lossy().into_owned();
        let caller = |line| {
            crate::stack_frame::parse_stack(&format!(
                "    at createServer (src/server.ts:{line}:17)"
            ))
        };
        let mut store = leak(
            ResourceKind::TcpSocket,
            "TCP socket",
            Some(site("src/redis.ts", &absolute, 2)),
        );
        store.user_frames = caller(23);
        let mut subscriber = store.clone();
        subscriber.user_frames = caller(24);
        let input = ReportTextInput {
            subject: "test \"t\"".into(),
            leaks: vec![store.clone(), subscriber, store],
            scope_hint: None,
            attribution_uncertain: false,
            wording: ReportWording::Test,
        };
        let text = render_report(&input);
        assert!(text.contains("  ● 2 × TCP socket  "), "{text}");
        assert!(text.contains("  ● TCP socket  "), "{text}");
        assert!(
            text.contains("called from createServer (src/server.ts:23:17)"),
            "{text}"
        );
        assert!(
            text.contains("called from createServer (src/server.ts:24:17)"),
            "{text}"
        );
        assert_eq!(
            text.matches("> 2 |   return new Redis(url)").count(),
            1,
            "{text}"
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
