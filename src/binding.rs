//! The napi glue: the only Rust that knows Node-API.
//!
//! Calls cross the boundary at the end of a test, never per async event, so JSON strings are the interface:
//! one `JSON.stringify` on the JS side and one serde parse here, with the shape checked by serde. No state is kept
//! here: each call gets everything it needs, which keeps Node envs sharing a process (vitest's `threads` pool)
//! apart by construction. Every export catches panics, so a bug here becomes a JS error, never a dead worker.

use crate::leak_report::{analyze_leaks, LeakCheckInput};
use crate::report_text::{render_report, ReportTextInput};
use crate::resource_kind::ResourceKind;
use crate::uv_handles::{walk_loop, UvHandleInfo};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

fn invalid_json(what: &str, error: &serde_json::Error) -> Error {
    Error::new(
        Status::InvalidArg,
        format!("leakwatch: {what} is not valid: {error}"),
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|error| Error::new(Status::GenericFailure, error.to_string()))
}

fn loop_handles(env: &Env) -> Result<Vec<UvHandleInfo>> {
    let event_loop = env.get_uv_event_loop()?;
    // SAFETY: napi gives this env's own loop, and a napi call runs on that env's JS thread, the loop's thread.
    unsafe { walk_loop(event_loop.cast()) }
        .map_err(|error| Error::new(Status::GenericFailure, error.to_string()))
}

/// The libuv handles of this thread's event loop, as a JSON array of
/// `{ handleType, hasRef, isActive, isClosing, fd?, localAddress?, peerAddress?, pid?, path?, signal? }`.
#[napi(catch_unwind)]
pub fn list_loop_handles(env: Env) -> Result<String> {
    to_json(&loop_handles(&env)?)
}

/// Turns the resources a scope left open (`LeakCheckInput` as JSON) into leaks (a JSON array), describing each
/// from libuv and locating its creation site in user code.
#[napi(catch_unwind)]
pub fn analyze_open_resources(env: Env, input_json: String) -> Result<String> {
    let input: LeakCheckInput = serde_json::from_str(&input_json)
        .map_err(|error| invalid_json("the leak check input", &error))?;
    // Without libuv (an unusual embedder) the leaks are still reported, described from what JS knew.
    let handles = loop_handles(&env).unwrap_or_default();
    to_json(&analyze_leaks(&input, &handles))
}

/// Renders the text of a `LeakError` from `{ subject, leaks, scopeHint?, attributionUncertain? }` as JSON.
#[napi(catch_unwind)]
pub fn render_leak_report(input_json: String) -> Result<String> {
    let input: ReportTextInput = serde_json::from_str(&input_json)
        .map_err(|error| invalid_json("the report input", &error))?;
    Ok(render_report(&input))
}

/// The async_hooks types leakwatch reports, each with its kind's name (`Timeout` is listed twice: a repeating one
/// is an `Interval`), as a JSON array of `{ type, repeats, kind }`. The JS side builds its lookup table from it, so
/// the list of kinds lives in one place.
#[napi(catch_unwind)]
pub fn reportable_types() -> Result<String> {
    let table: Vec<serde_json::Value> = crate::resource_kind::REPORTABLE_ASYNC_TYPES
        .iter()
        .flat_map(|&async_type| {
            [false, true].into_iter().filter_map(move |repeats| {
                let kind = ResourceKind::from_async_type(async_type, repeats)?;
                let distinct = !repeats || async_type == "Timeout";
                distinct.then(|| serde_json::json!({ "type": async_type, "repeats": repeats, "kind": kind.name() }))
            })
        })
        .collect();
    to_json(&table)
}
