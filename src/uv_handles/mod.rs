//! The libuv handles of a Node event loop, read natively: which are open, and what identifies each.
//!
//! `uv_walk` lists every handle the loop has, with no cost to the watched program until it is called. For each we
//! read what a report needs in words: the addresses of a TCP socket or server, the pid of a child process, the path
//! of a watcher, the signal of a signal handle, the ref state. The JS owner of a socket or server is matched to its
//! handle by file descriptor.
//!
//! Where the walk runs, by platform:
//! - Linux (glibc and musl) and macOS: libuv's symbols are exported by the `node` binary and looked up with `dlsym`
//!   at run time instead of being linked (`libuv`), so the core builds and its unit tests run without Node; outside
//!   Node the walk reports itself unavailable.
//! - Windows: not walked ([`UvWalkError::NotOnThisPlatform`]). Node gives JS no file descriptor for a socket or a
//!   server there (its `fd` is -1), so no handle could be matched to its JS owner, and what the walk adds (the
//!   addresses, the ref state) would reach no report. Leaks are described from what JS knows (`leak_report` takes
//!   an empty list of handles), which names the same addresses, read from the JS owner.

use serde::Serialize;
use std::ffi::c_void;

#[cfg(unix)]
mod libuv;
#[cfg(unix)]
mod sockaddr;

#[cfg(unix)]
pub use sockaddr::sockaddr_to_string;

/// One handle of the loop, described.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UvHandleInfo {
    /// libuv's type name: `tcp`, `timer`, `process`, ...
    pub handle_type: &'static str,
    pub has_ref: bool,
    pub is_active: bool,
    pub is_closing: bool,
    pub fd: Option<i32>,
    pub local_address: Option<String>,
    pub peer_address: Option<String>,
    pub pid: Option<i32>,
    pub path: Option<String>,
    pub signal: Option<i32>,
}

/// Why the loop could not be walked.
#[derive(Debug, PartialEq, Eq)]
pub enum UvWalkError {
    /// The process does not export libuv (not running inside Node).
    LibUvUnavailable,
    /// The walk is not done on this platform (Windows: see the module comment).
    NotOnThisPlatform,
    NullLoop,
}

impl std::fmt::Display for UvWalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UvWalkError::LibUvUnavailable => {
                write!(f, "libuv's functions are not exported by this process")
            }
            UvWalkError::NotOnThisPlatform => write!(
                f,
                "leakwatch does not walk libuv's handles on {}: Node gives JS no file descriptor to match a handle \
                 to its owner there, so leaks are described from what JS knows",
                std::env::consts::OS
            ),
            UvWalkError::NullLoop => write!(f, "the event loop pointer is null"),
        }
    }
}

/// Lists and describes every handle of `event_loop`.
///
/// # Safety
/// `event_loop` must be a live `uv_loop_t*` and this must be called on the thread that runs that loop (for a Node
/// env: its JS thread), so that no handle is closed or freed while it is read.
pub unsafe fn walk_loop(event_loop: *mut c_void) -> Result<Vec<UvHandleInfo>, UvWalkError> {
    if event_loop.is_null() {
        return Err(UvWalkError::NullLoop);
    }
    #[cfg(unix)]
    {
        // SAFETY: the caller's contract, passed on.
        unsafe { libuv::walk(event_loop) }
    }
    #[cfg(not(unix))]
    {
        Err(UvWalkError::NotOnThisPlatform)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_loop_is_refused_before_anything_is_read() {
        // SAFETY: a null loop is rejected before anything is dereferenced.
        let result = unsafe { walk_loop(std::ptr::null_mut()) };
        assert_eq!(result, Err(UvWalkError::NullLoop));
    }

    #[cfg(unix)]
    #[test]
    fn walking_outside_node_says_why() {
        // The test binary does not export libuv; the walk must say so rather than crash.
        let mut not_a_loop = [0u8; 8];
        // SAFETY: libuv is looked up first, and is not found here, so the pointer is never read.
        let result = unsafe { walk_loop(not_a_loop.as_mut_ptr().cast()) };
        assert_eq!(result, Err(UvWalkError::LibUvUnavailable));
    }

    #[cfg(not(unix))]
    #[test]
    fn not_walked_on_this_platform_and_says_why() {
        let mut not_a_loop = [0u8; 8];
        // SAFETY: nothing is read on this platform.
        let result = unsafe { walk_loop(not_a_loop.as_mut_ptr().cast()) };
        assert_eq!(result, Err(UvWalkError::NotOnThisPlatform));
    }

    #[test]
    fn the_platform_message_names_the_platform_and_the_fallback() {
        let message = UvWalkError::NotOnThisPlatform.to_string();
        assert!(message.contains(std::env::consts::OS), "{message}");
        assert!(
            message.contains("described from what JS knows"),
            "{message}"
        );
    }
}
