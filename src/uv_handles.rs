//! The libuv handles of a Node event loop, read natively: which are open, and what identifies each.
//!
//! `uv_walk` lists every handle the loop has, with no cost to the watched program until it is called. For each we
//! read what a report needs in words: the addresses of a TCP socket or server, the pid of a child process, the path
//! of a watcher, the signal of a signal handle, the ref state. The JS owner of a socket or server is matched to its
//! handle by file descriptor.
//!
//! libuv's symbols are exported by the `node` binary. They are looked up with `dlsym` at run time instead of being
//! linked, so the core builds and its unit tests run without Node; outside Node the walk reports itself unavailable.

use serde::Serialize;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::OnceLock;

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

const UV_FS_EVENT: c_int = 3;
const UV_FS_POLL: c_int = 4;
const UV_HANDLE: c_int = 5;
const UV_NAMED_PIPE: c_int = 7;
const UV_PROCESS: c_int = 10;
const UV_TCP: c_int = 12;
const UV_UDP: c_int = 15;
const UV_SIGNAL: c_int = 16;

fn handle_type_name(handle_type: c_int) -> &'static str {
    match handle_type {
        1 => "async",
        2 => "check",
        UV_FS_EVENT => "fs_event",
        UV_FS_POLL => "fs_poll",
        6 => "idle",
        UV_NAMED_PIPE => "pipe",
        8 => "poll",
        9 => "prepare",
        UV_PROCESS => "process",
        UV_TCP => "tcp",
        13 => "timer",
        14 => "tty",
        UV_UDP => "udp",
        UV_SIGNAL => "signal",
        _ => "unknown",
    }
}

type Handle = *const c_void;
type WalkCallback = unsafe extern "C" fn(handle: *mut c_void, arg: *mut c_void);
type SockNameFn = unsafe extern "C" fn(Handle, *mut u8, *mut c_int) -> c_int;
type PathFn = unsafe extern "C" fn(Handle, *mut c_char, *mut usize) -> c_int;

/// The libuv functions used, resolved once from the running process.
struct LibUv {
    walk: unsafe extern "C" fn(*mut c_void, WalkCallback, *mut c_void),
    handle_get_type: unsafe extern "C" fn(Handle) -> c_int,
    handle_size: unsafe extern "C" fn(c_int) -> usize,
    has_ref: unsafe extern "C" fn(Handle) -> c_int,
    is_active: unsafe extern "C" fn(Handle) -> c_int,
    is_closing: unsafe extern "C" fn(Handle) -> c_int,
    fileno: unsafe extern "C" fn(Handle, *mut c_int) -> c_int,
    tcp_getsockname: SockNameFn,
    tcp_getpeername: SockNameFn,
    udp_getsockname: SockNameFn,
    pipe_getsockname: PathFn,
    pipe_getpeername: PathFn,
    fs_event_getpath: PathFn,
    fs_poll_getpath: PathFn,
    process_get_pid: unsafe extern "C" fn(Handle) -> c_int,
}

extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

/// `RTLD_DEFAULT` on Linux and macOS' equivalent search of every loaded image.
#[cfg(target_os = "macos")]
const RTLD_DEFAULT: *mut c_void = -2isize as *mut c_void;
#[cfg(not(target_os = "macos"))]
const RTLD_DEFAULT: *mut c_void = std::ptr::null_mut();

fn lookup(name: &CStr) -> Option<*mut c_void> {
    // SAFETY: dlsym with RTLD_DEFAULT only reads the loaded images' symbol tables; `name` is NUL-terminated.
    let symbol = unsafe { dlsym(RTLD_DEFAULT, name.as_ptr()) };
    (!symbol.is_null()).then_some(symbol)
}

/// # Safety
/// `F` must be the function pointer type of the C function named `name`.
unsafe fn resolve<F: Copy>(name: &CStr) -> Option<F> {
    let symbol = lookup(name)?;
    if std::mem::size_of::<F>() != std::mem::size_of::<*mut c_void>() {
        return None;
    }
    // SAFETY: the symbol is libuv's function of that name, whose C signature (uv.h, stable across libuv 1.x) the
    // caller's `F` spells out; sizes were checked to match.
    Some(unsafe { std::mem::transmute_copy::<*mut c_void, F>(&symbol) })
}

impl LibUv {
    fn resolve() -> Option<LibUv> {
        Some(LibUv {
            walk: unsafe { resolve(c"uv_walk")? },
            handle_get_type: unsafe { resolve(c"uv_handle_get_type")? },
            handle_size: unsafe { resolve(c"uv_handle_size")? },
            has_ref: unsafe { resolve(c"uv_has_ref")? },
            is_active: unsafe { resolve(c"uv_is_active")? },
            is_closing: unsafe { resolve(c"uv_is_closing")? },
            fileno: unsafe { resolve(c"uv_fileno")? },
            tcp_getsockname: unsafe { resolve(c"uv_tcp_getsockname")? },
            tcp_getpeername: unsafe { resolve(c"uv_tcp_getpeername")? },
            udp_getsockname: unsafe { resolve(c"uv_udp_getsockname")? },
            pipe_getsockname: unsafe { resolve(c"uv_pipe_getsockname")? },
            pipe_getpeername: unsafe { resolve(c"uv_pipe_getpeername")? },
            fs_event_getpath: unsafe { resolve(c"uv_fs_event_getpath")? },
            fs_poll_getpath: unsafe { resolve(c"uv_fs_poll_getpath")? },
            process_get_pid: unsafe { resolve(c"uv_process_get_pid")? },
        })
    }

    fn get() -> Option<&'static LibUv> {
        // Function addresses are the same for every Node env in the process: this is not per-env state.
        static LIBUV: OnceLock<Option<LibUv>> = OnceLock::new();
        LIBUV.get_or_init(LibUv::resolve).as_ref()
    }
}

/// Why the loop could not be walked.
#[derive(Debug, PartialEq, Eq)]
pub enum UvWalkError {
    /// The process does not export libuv (not running inside Node).
    LibUvUnavailable,
    NullLoop,
}

impl std::fmt::Display for UvWalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UvWalkError::LibUvUnavailable => {
                write!(f, "libuv's functions are not exported by this process")
            }
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
    let libuv = LibUv::get().ok_or(UvWalkError::LibUvUnavailable)?;
    let mut handles: Vec<Handle> = Vec::new();
    unsafe extern "C" fn collect(handle: *mut c_void, arg: *mut c_void) {
        // SAFETY: `arg` is the `Vec` passed to uv_walk below, alive and not otherwise borrowed during the walk.
        let handles = unsafe { &mut *arg.cast::<Vec<Handle>>() };
        handles.push(handle.cast_const());
    }
    // SAFETY: the caller guarantees a live loop on this thread; the callback only records pointers.
    unsafe {
        (libuv.walk)(
            event_loop,
            collect,
            (&mut handles as *mut Vec<Handle>).cast(),
        )
    };
    // SAFETY: each pointer came from uv_walk on this thread just now, and nothing ran since that could free it.
    Ok(handles
        .into_iter()
        .map(|handle| unsafe { describe(libuv, handle) })
        .collect())
}

/// # Safety
/// `handle` must be a live handle of a loop running on this thread.
unsafe fn describe(libuv: &LibUv, handle: Handle) -> UvHandleInfo {
    // SAFETY (whole function): `handle` is live (the caller's contract), and each accessor is called only on the
    // handle type it is documented for.
    unsafe {
        let handle_type = (libuv.handle_get_type)(handle);
        let mut info = UvHandleInfo {
            handle_type: handle_type_name(handle_type),
            has_ref: (libuv.has_ref)(handle) != 0,
            is_active: (libuv.is_active)(handle) != 0,
            is_closing: (libuv.is_closing)(handle) != 0,
            ..UvHandleInfo::default()
        };
        let mut fd: c_int = -1;
        if (libuv.fileno)(handle, &mut fd) == 0 && fd >= 0 {
            info.fd = Some(fd);
        }
        match handle_type {
            UV_TCP => {
                info.local_address = socket_address(libuv.tcp_getsockname, handle);
                info.peer_address = socket_address(libuv.tcp_getpeername, handle);
            }
            UV_UDP => info.local_address = socket_address(libuv.udp_getsockname, handle),
            UV_NAMED_PIPE => {
                info.local_address = path_of(libuv.pipe_getsockname, handle);
                info.peer_address = path_of(libuv.pipe_getpeername, handle);
            }
            UV_PROCESS => info.pid = Some((libuv.process_get_pid)(handle)),
            UV_FS_EVENT => info.path = path_of(libuv.fs_event_getpath, handle),
            UV_FS_POLL => info.path = path_of(libuv.fs_poll_getpath, handle),
            UV_SIGNAL => {
                // uv_signal_t is UV_HANDLE_FIELDS, then `uv_signal_cb signal_cb`, then `int signum` (uv.h). libuv
                // has no accessor for it; the public layout is stable across 1.x.
                let offset = (libuv.handle_size)(UV_HANDLE) + std::mem::size_of::<usize>();
                let signum = handle
                    .cast::<u8>()
                    .add(offset)
                    .cast::<c_int>()
                    .read_unaligned();
                info.signal = Some(signum);
            }
            _ => {}
        }
        info
    }
}

unsafe fn socket_address(getname: SockNameFn, handle: Handle) -> Option<String> {
    let mut storage = [0u8; 128];
    let mut length = storage.len() as c_int;
    // SAFETY: `storage` is a sockaddr_storage-sized buffer and `length` says so.
    let status = unsafe { getname(handle, storage.as_mut_ptr(), &mut length) };
    if status != 0 {
        return None;
    }
    sockaddr_to_string(&storage[..usize::try_from(length).ok()?.min(storage.len())])
}

unsafe fn path_of(getpath: PathFn, handle: Handle) -> Option<String> {
    let mut buffer = [0u8; 4096];
    let mut size = buffer.len();
    // SAFETY: `buffer` holds `size` bytes; libuv writes at most that many and updates `size`.
    let status = unsafe { getpath(handle, buffer.as_mut_ptr().cast(), &mut size) };
    if status != 0 || size == 0 {
        return None;
    }
    let bytes = &buffer[..size.min(buffer.len())];
    let text = String::from_utf8_lossy(bytes)
        .trim_end_matches('\0')
        .to_owned();
    (!text.is_empty()).then_some(text)
}

const AF_INET: u16 = 2;
#[cfg(target_os = "linux")]
const AF_INET6: u16 = 10;
#[cfg(not(target_os = "linux"))]
const AF_INET6: u16 = 30;

/// Formats a raw `sockaddr` as `ip:port` (`[ip]:port` for IPv6).
pub fn sockaddr_to_string(raw: &[u8]) -> Option<String> {
    #[cfg(target_os = "linux")]
    let family = u16::from_ne_bytes([*raw.first()?, *raw.get(1)?]);
    #[cfg(not(target_os = "linux"))]
    let family = u16::from(*raw.get(1)?);
    let port = u16::from_be_bytes([*raw.get(2)?, *raw.get(3)?]);
    let address = match family {
        AF_INET => {
            let octets: [u8; 4] = raw.get(4..8)?.try_into().ok()?;
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(octets), port))
        }
        AF_INET6 => {
            let octets: [u8; 16] = raw.get(8..24)?.try_into().ok()?;
            SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(octets), port, 0, 0))
        }
        _ => return None,
    };
    Some(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn formats_ipv4_and_ipv6_sockaddrs() {
        let mut v4 = [0u8; 16];
        v4[..2].copy_from_slice(&AF_INET.to_ne_bytes());
        v4[2..4].copy_from_slice(&6379u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[127, 0, 0, 1]);
        assert_eq!(sockaddr_to_string(&v4).as_deref(), Some("127.0.0.1:6379"));

        let mut v6 = [0u8; 28];
        v6[..2].copy_from_slice(&AF_INET6.to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[23] = 1;
        assert_eq!(sockaddr_to_string(&v6).as_deref(), Some("[::1]:443"));
    }

    #[test]
    fn short_or_unknown_sockaddrs_give_nothing() {
        assert_eq!(sockaddr_to_string(&[]), None);
        assert_eq!(sockaddr_to_string(&[2, 0, 0]), None);
        assert_eq!(sockaddr_to_string(&[99, 0, 0, 0, 0, 0, 0, 0]), None);
    }

    #[test]
    fn walking_outside_node_says_why() {
        // SAFETY: a null loop is rejected before anything is dereferenced.
        assert_eq!(
            unsafe { walk_loop(std::ptr::null_mut()) },
            Err(UvWalkError::NullLoop)
        );
        // The test binary does not export libuv; the walk must say so rather than crash.
        let mut not_a_loop = [0u8; 8];
        let result = unsafe { walk_loop(not_a_loop.as_mut_ptr().cast()) };
        assert_eq!(result, Err(UvWalkError::LibUvUnavailable));
    }
}
