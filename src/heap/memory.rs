//! Big columns and work arrays: mapped in one go, and returned to the system when dropped.
//!
//! The arrays here run to hundreds of megabytes; filling them one 4 KiB page at a time is a page fault per page,
//! a noticeable share of the run (more so in a VM), so they are prefaulted with one `madvise` each. (Transparent
//! huge pages were tried: faster on one run, much slower on the next in a VM, so not used.) And glibc's malloc,
//! once a large block is freed, raises its threshold for serving blocks from `mmap` (up to 32 MiB), so later
//! ~30 MiB arrays land in its heap, whose freed space it may keep: the peak RSS then depends on the order things
//! were freed. Fixing the threshold (1 MiB, process-wide: it also applies to the host's own mallocs) keeps big
//! arrays mapped, and their memory goes back when they are dropped. Both are hints: the prefault is Linux's
//! (`madvise`), the threshold glibc's (`mallopt`; musl's malloc has none); elsewhere nothing is done.

/// Below this, prefaulting is not worth a system call.
const PREFAULT_FROM_BYTES: usize = 4 << 20;

/// Once per process: keep blocks of 1 MiB and up out of malloc's heap (see the module comment). Process-wide, so
/// only a process of its own may ask for it (the CLI does); inside a test run it would change the suite's allocator.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes allocator tuning; any value is valid.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            }
        });
    }
}

/// Maps in `vec`'s spare capacity in one call (`MADV_POPULATE_WRITE`, Linux 5.14+), before it is filled: one
/// system call instead of a page fault per 4 KiB page. On older kernels the call fails and nothing changes; on other
/// platforms nothing is done (their first touch of each page maps it, as without this).
pub fn prefault<T>(vec: &Vec<T>) {
    let bytes = vec.capacity() * std::mem::size_of::<T>();
    if bytes < PREFAULT_FROM_BYTES {
        return;
    }
    const PAGE: usize = 4096;
    let base = vec.as_ptr() as usize;
    let start = base.next_multiple_of(PAGE);
    let end = (base + bytes) & !(PAGE - 1);
    if end > start {
        // SAFETY: the pages lie inside the vector's own allocation, which is writable.
        unsafe { populate_pages(start, end - start) };
    }
}

/// # Safety
/// `start .. start + len` must be page-aligned, writable memory this process owns.
#[cfg(target_os = "linux")]
unsafe fn populate_pages(start: usize, len: usize) {
    // SAFETY: the caller's range; populating changes no contents (fresh pages are zero, touched ones stay as they
    // are), and a failure (an older kernel) is harmless.
    unsafe {
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE);
    }
}

/// Off Linux there is no such call: each page is mapped on its first touch, as without prefaulting. Same signature
/// (and contract) as the Linux one, so the caller reads the same everywhere.
#[cfg(not(target_os = "linux"))]
unsafe fn populate_pages(_start: usize, _len: usize) {}

/// `Vec::with_capacity`, prefaulted: for arrays that will be filled to capacity.
pub fn with_capacity<T>(capacity: usize) -> Vec<T> {
    let vec = Vec::with_capacity(capacity);
    prefault(&vec);
    vec
}

/// `vec![value; len]`, prefaulted.
pub fn filled<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut vec = with_capacity(len);
    vec.resize(len, value);
    vec
}
