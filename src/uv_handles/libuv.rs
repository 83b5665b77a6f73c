//! Walking a loop on Unix: libuv's functions, found in the running process with `dlsym`, and each handle read
//! with the accessor libuv documents for its type.

use super::sockaddr::sockaddr_to_string;
use super::{UvHandleInfo, UvWalkError};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

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

fn lookup(name: &CStr) -> Option<*mut c_void> {
    // RTLD_DEFAULT searches every image loaded in the process, the `node` executable first; its value is the
    // platform's own (null on Linux, -2 on macOS), from libc.
    // SAFETY: dlsym with RTLD_DEFAULT only reads the loaded images' symbol tables; `name` is NUL-terminated.
    let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
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
        // SAFETY: each field's type is the C signature (uv.h, stable across libuv 1.x) of the function it is resolved
        // from, as `resolve` requires.
        unsafe {
            Some(LibUv {
                walk: resolve(c"uv_walk")?,
                handle_get_type: resolve(c"uv_handle_get_type")?,
                handle_size: resolve(c"uv_handle_size")?,
                has_ref: resolve(c"uv_has_ref")?,
                is_active: resolve(c"uv_is_active")?,
                is_closing: resolve(c"uv_is_closing")?,
                fileno: resolve(c"uv_fileno")?,
                tcp_getsockname: resolve(c"uv_tcp_getsockname")?,
                tcp_getpeername: resolve(c"uv_tcp_getpeername")?,
                udp_getsockname: resolve(c"uv_udp_getsockname")?,
                pipe_getsockname: resolve(c"uv_pipe_getsockname")?,
                pipe_getpeername: resolve(c"uv_pipe_getpeername")?,
                fs_event_getpath: resolve(c"uv_fs_event_getpath")?,
                fs_poll_getpath: resolve(c"uv_fs_poll_getpath")?,
                process_get_pid: resolve(c"uv_process_get_pid")?,
            })
        }
    }

    fn get() -> Option<&'static LibUv> {
        // Function addresses are the same for every Node env in the process: this is not per-env state.
        static LIBUV: OnceLock<Option<LibUv>> = OnceLock::new();
        LIBUV.get_or_init(LibUv::resolve).as_ref()
    }
}

/// Lists and describes every handle of `event_loop`.
///
/// # Safety
/// As for [`super::walk_loop`], and `event_loop` is not null.
pub(super) unsafe fn walk(event_loop: *mut c_void) -> Result<Vec<UvHandleInfo>, UvWalkError> {
    let libuv = LibUv::get().ok_or(UvWalkError::LibUvUnavailable)?;
    let mut handles: Vec<Handle> = Vec::new();
    unsafe extern "C" fn collect(handle: *mut c_void, arg: *mut c_void) {
        // SAFETY: `arg` is the `Vec` passed to uv_walk below, alive and not otherwise borrowed during the walk.
        let handles = unsafe { &mut *arg.cast::<Vec<Handle>>() };
        handles.push(handle.cast_const());
    }
    // SAFETY: the caller guarantees a live loop on this thread; the callback only records pointers.
    unsafe {
        (libuv.walk)(event_loop, collect, (&raw mut handles).cast());
    }
    // SAFETY: each pointer came from uv_walk on this thread just now, and nothing ran since that could free it.
    Ok(handles
        .into_iter()
        .map(|handle| unsafe { describe(libuv, handle) })
        .collect())
}

/// # Safety
/// `handle` must be a live handle of a loop running on this thread.
unsafe fn describe(libuv: &LibUv, handle: Handle) -> UvHandleInfo {
    // SAFETY: (the whole function) `handle` is live (the caller's contract), and each accessor is called only on the
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
        if (libuv.fileno)(handle, &raw mut fd) == 0 && fd >= 0 {
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
    let mut storage = [0u8; std::mem::size_of::<libc::sockaddr_storage>()];
    let mut length = storage.len() as c_int;
    // SAFETY: `storage` is a sockaddr_storage-sized buffer and `length` says so.
    let status = unsafe { getname(handle, storage.as_mut_ptr(), &raw mut length) };
    if status != 0 {
        return None;
    }
    sockaddr_to_string(&storage[..usize::try_from(length).ok()?.min(storage.len())])
}

unsafe fn path_of(getpath: PathFn, handle: Handle) -> Option<String> {
    let mut buffer = [0u8; 4096];
    let mut size = buffer.len();
    // SAFETY: `buffer` holds `size` bytes; libuv writes at most that many and updates `size`.
    let status = unsafe { getpath(handle, buffer.as_mut_ptr().cast(), &raw mut size) };
    if status != 0 || size == 0 {
        return None;
    }
    let bytes = &buffer[..size.min(buffer.len())];
    let text = String::from_utf8_lossy(bytes)
        .trim_end_matches('\0')
        .to_owned();
    (!text.is_empty()).then_some(text)
}
