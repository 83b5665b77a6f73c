//! A socket address as libuv hands it over (a raw `sockaddr` from `getsockname`), in words: `ip:port`.
//!
//! The layout is the platform's: where the family sits (Linux has a 16-bit `sa_family`; macOS has `sa_len` first,
//! then an 8-bit family) and the value of `AF_INET6` (10 on Linux, 30 on macOS) both come from libc's definitions
//! for the target, never from numbers written here.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Formats a raw `sockaddr` as `ip:port` (`[ip]:port` for IPv6); anything else, or too short, gives nothing.
pub fn sockaddr_to_string(raw: &[u8]) -> Option<String> {
    // SAFETY: sockaddr_storage is plain C data, valid all zeroes.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let length = raw.len().min(size_of::<libc::sockaddr_storage>());
    // SAFETY: `length` bytes fit in both; sockaddr_storage is designed to be written as bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(raw.as_ptr(), (&raw mut storage).cast::<u8>(), length);
    }
    let address = match i32::from(storage.ss_family) {
        libc::AF_INET if length >= size_of::<libc::sockaddr_in>() => {
            // SAFETY: sockaddr_storage is aligned and sized for every sockaddr type; the family says which it holds.
            let v4 = unsafe { &*(&raw const storage).cast::<libc::sockaddr_in>() };
            SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr)),
                u16::from_be(v4.sin_port),
            ))
        }
        libc::AF_INET6 if length >= size_of::<libc::sockaddr_in6>() => {
            // SAFETY: as above.
            let v6 = unsafe { &*(&raw const storage).cast::<libc::sockaddr_in6>() };
            SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(v6.sin6_addr.s6_addr),
                u16::from_be(v6.sin6_port),
                0,
                0,
            ))
        }
        _ => return None,
    };
    Some(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of a C struct, as the kernel writes them.
    fn bytes_of<T>(value: &T) -> Vec<u8> {
        // SAFETY: reads exactly the bytes of `value`, a plain C struct made from zeroes and fields.
        unsafe {
            std::slice::from_raw_parts(std::ptr::from_ref(value).cast::<u8>(), size_of::<T>())
        }
        .to_vec()
    }

    fn zeroed<T>() -> T {
        // SAFETY: used only for libc's sockaddr structs, plain C data valid all zeroes.
        unsafe { std::mem::zeroed() }
    }

    #[test]
    fn formats_ipv4_and_ipv6_sockaddrs_in_this_platform_s_layout() {
        let mut v4: libc::sockaddr_in = zeroed();
        v4.sin_family = libc::AF_INET as libc::sa_family_t;
        v4.sin_port = 6379u16.to_be();
        v4.sin_addr.s_addr = u32::from(Ipv4Addr::LOCALHOST).to_be();
        assert_eq!(
            sockaddr_to_string(&bytes_of(&v4)).as_deref(),
            Some("127.0.0.1:6379")
        );

        let mut v6: libc::sockaddr_in6 = zeroed();
        v6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
        v6.sin6_port = 443u16.to_be();
        v6.sin6_addr.s6_addr = Ipv6Addr::LOCALHOST.octets();
        assert_eq!(
            sockaddr_to_string(&bytes_of(&v6)).as_deref(),
            Some("[::1]:443")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_linux_s_layout_written_out() {
        // What Linux's getsockname writes for 127.0.0.1:6379: a 16-bit family (AF_INET = 2), then the port.
        let mut v4 = [0u8; 16];
        v4[..2].copy_from_slice(&2u16.to_ne_bytes());
        v4[2..4].copy_from_slice(&6379u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[127, 0, 0, 1]);
        assert_eq!(sockaddr_to_string(&v4).as_deref(), Some("127.0.0.1:6379"));
        // AF_INET6 is 10 on Linux.
        let mut v6 = [0u8; 28];
        v6[..2].copy_from_slice(&10u16.to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[23] = 1;
        assert_eq!(sockaddr_to_string(&v6).as_deref(), Some("[::1]:443"));
    }

    #[test]
    fn short_or_unknown_sockaddrs_give_nothing() {
        assert_eq!(sockaddr_to_string(&[]), None);
        assert_eq!(sockaddr_to_string(&[2, 0, 0]), None);
        assert_eq!(sockaddr_to_string(&[99, 0, 0, 0, 0, 0, 0, 0]), None);
        // A whole IPv4 family but cut short of its address.
        let mut v4: libc::sockaddr_in = zeroed();
        v4.sin_family = libc::AF_INET as libc::sa_family_t;
        let bytes = bytes_of(&v4);
        assert_eq!(sockaddr_to_string(&bytes[..bytes.len() - 1]), None);
    }
}
