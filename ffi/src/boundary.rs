//! The boundary with C: the only code that turns the caller's pointers into slices and
//! references ([`bytes`], [`text`], [`bytes_mut`], [`array()`], [`reference()`], [`out`]);
//! key storage, read in place, is `storage`'s. And the wrapper every call that reads the
//! caller's memory or calls into jwt-core runs inside ([`call`], [`call_or`]), which keeps
//! a panic from crossing into C.
//!
//! Each helper's `# Safety` section is what the C caller promises for the duration of the
//! call; the functions of the other modules forward it, as their own `# Safety` sections say.

use core::ffi::c_char;

use crate::status::jwt_status;

/// Without `std` (firmware), the library brings the panic handler a `no_std` static library
/// needs. The verify paths link without panics, so it is never reached.
#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

/// Runs `body`, the work of one C call, and answers what it returns, or `on_panic` if it
/// panics: no panic unwinds into C.
///
/// With `std` (host builds: the shared and static libraries, the tests) the panic is caught
/// here. Those builds unwind on panic (no profile of the workspace sets `panic = "abort"`;
/// one that did would make a panic abort the process here too), and Rust would abort the
/// process rather than unwind out of an `extern "C"` function: a gateway would go down on
/// one token. What `body` leaves half-done is never read as a
/// result: a call that panics answers a failure, after which C reads none of its outputs,
/// and key storage holds a key only from the moment the key is written whole (`storage`).
///
/// Without `std` nothing can catch a panic: the panic handler above runs and never returns,
/// and nothing unwinds (the firmware target, thumbv7em-none-eabihf, aborts on panic, and
/// `examples/cortex-m/build.sh` also builds with `panic = "abort"`). The core's verify paths
/// link without panic branches, so firmware never gets there.
pub(crate) fn call_or<R>(on_panic: R, body: impl FnOnce() -> R) -> R {
    #[cfg(feature = "std")]
    {
        // Unwind safety: see above, nothing a panic interrupts is read afterwards.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(on_panic)
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = on_panic;
        body()
    }
}

/// [`call_or`] for a call that answers a status: `body`'s error, or `JWT_OK`, or
/// `JWT_UNKNOWN_ERROR` when it panics.
pub(crate) fn call(body: impl FnOnce() -> Result<(), jwt_status>) -> jwt_status {
    call_or(jwt_status::JWT_UNKNOWN_ERROR, || match body() {
        Ok(()) => jwt_status::JWT_OK,
        Err(status) => status,
    })
}

/// `len` bytes at `ptr`: NULL is allowed for an empty input only.
///
/// # Safety
/// Unless NULL, `ptr` must point to `len` readable bytes that stay valid and unchanged for
/// `'a` (the C caller's promise for the duration of the call).
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], jwt_status> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(jwt_status::JWT_NULL_POINTER)
        };
    }
    // SAFETY: non-null, and the caller promises `len` readable bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// [`bytes`], checked to be UTF-8.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, jwt_status> {
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { bytes(ptr.cast(), len) }?;
    core::str::from_utf8(bytes).map_err(|_| jwt_status::JWT_NOT_UTF8)
}

/// `len` writable bytes at `ptr`.
///
/// # Safety
/// Unless NULL, `ptr` must point to `len` writable bytes, used by nothing else during `'a`.
pub(crate) unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], jwt_status> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(jwt_status::JWT_NULL_POINTER)
        };
    }
    // SAFETY: non-null, and the caller promises `len` writable, unaliased bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// `len` `T`s at `ptr`: `ptr` is not read when `len` is 0.
///
/// # Safety
/// Unless `len` is 0, NULL or misaligned, `ptr` must point to `len` initialised `T`s that
/// stay valid and unchanged for `'a`. The `T`s passed here are plain C structs: any bit
/// pattern the caller left is valid.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], jwt_status> {
    if len == 0 {
        return Ok(&[]);
    }
    usable(ptr)?;
    // SAFETY: non-null and aligned; the caller promises `len` initialised `T`s for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER` for a pointer that cannot be dereferenced
/// as a `T`: C lets a caller cast any address to any pointer type.
pub(crate) fn usable<T>(ptr: *const T) -> Result<(), jwt_status> {
    if ptr.is_null() {
        Err(jwt_status::JWT_NULL_POINTER)
    } else if !ptr.is_aligned() {
        Err(jwt_status::JWT_MISALIGNED_POINTER)
    } else {
        Ok(())
    }
}

/// `&*ptr`, or `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER`.
///
/// # Safety
/// Unless NULL or misaligned, `ptr` must point to a valid, initialised `T` that nothing
/// writes during `'a`.
pub(crate) unsafe fn reference<'a, T>(ptr: *const T) -> Result<&'a T, jwt_status> {
    usable(ptr)?;
    // SAFETY: non-null and aligned; the rest is forwarded to the caller.
    Ok(unsafe { &*ptr })
}

/// `&mut *ptr`, or `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER`.
///
/// # Safety
/// Unless NULL or misaligned, `ptr` must point to writable memory for a `T`, used by nothing
/// else during `'a`. The `T`s passed here are plain C structs: any bit pattern the caller
/// left is valid.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T) -> Result<&'a mut T, jwt_status> {
    usable(ptr)?;
    // SAFETY: non-null and aligned; the rest is forwarded to the caller.
    Ok(unsafe { &mut *ptr })
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_answered_as_a_status_not_unwound() {
        let status = call(|| panic!("a bug in the library"));
        assert_eq!(status, jwt_status::JWT_UNKNOWN_ERROR);
        assert_eq!(call_or(7, || panic!("a bug in the library")), 7);
        assert_eq!(
            call(|| Err(jwt_status::JWT_NOT_FOUND)),
            jwt_status::JWT_NOT_FOUND
        );
        assert_eq!(call(|| Ok(())), jwt_status::JWT_OK);
    }
}
