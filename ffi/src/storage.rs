//! Caller storage: `jwt_key` and `jwt_keyset` are words the caller owns, into which the
//! library writes a value of its own (a key, a key set) and reads it back. Beside
//! `boundary`, this is the library's other `unsafe` code; [`caller_storage!`] makes a C
//! type such storage, with the compile-time checks that make it sound.

use core::mem::size_of;

use crate::boundary::usable;
use crate::status::jwt_status;

/// What caller storage holds, from its first two words.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occupancy {
    /// No marker: zeroed or cleared.
    Empty,
    /// The marker and the storage's own address: a value written by [`CallerStorage::store`].
    Holds,
    /// The marker and another address: bytes copied from storage that holds a value, whose
    /// value (and the heap memory it owns) is that storage's.
    Copy,
}

/// Caller storage for a value of this crate (`jwt_key`, `jwt_keyset`): 64-bit words that
/// begin with a marker and the storage's own address, written with the value and removed
/// before it is dropped. Storage that was zeroed or cleared has no marker; C copies structs
/// freely, and a copy carries the address of the storage it was copied from, so it is never
/// read as holding the value, nor drops it.
///
/// # Safety
/// The implementing type must be `#[repr(C)]` words (`[u64; N]`), large and aligned enough
/// for a `Slot<Self::Value>` (the C types are `align(16)`, as a value holding a `u128` needs
/// on x86_64): [`caller_storage!`] implements it with the compile-time assertions of size and
/// alignment.
pub(crate) unsafe trait CallerStorage: Sized {
    type Value;
    /// The first word of storage that holds a value.
    const MARKER: u64;

    /// What the storage at `slot` holds, or why it cannot be used.
    ///
    /// # Safety
    /// Unless NULL or misaligned, `slot` must point to readable storage for a `Self` that is
    /// zeroed or was written by these functions since (the two words read are initialised).
    unsafe fn occupancy(slot: *const Self) -> Result<Occupancy, jwt_status> {
        usable(slot)?;
        let slot = slot.cast::<Slot<Self::Value>>();
        // SAFETY: non-null, aligned and readable by the caller's promise; the trait's
        // contract makes the storage large and aligned enough for a `Slot`, whose first two
        // fields are plain words.
        let (marker, home) = unsafe { ((*slot).marker, (*slot).home) };
        Ok(match (marker == Self::MARKER, home == address(slot)) {
            (false, _) => Occupancy::Empty,
            (true, true) => Occupancy::Holds,
            (true, false) => Occupancy::Copy,
        })
    }

    /// Writes `value` into the storage at `slot`, dropping the value it held; a copy's bytes
    /// are overwritten without dropping anything.
    ///
    /// # Safety
    /// As [`occupancy`](Self::occupancy), writable, and nothing else may use the storage
    /// during the call.
    unsafe fn store(slot: *mut Self, value: Self::Value) -> Result<(), jwt_status> {
        // SAFETY (both): forwarded to the caller.
        unsafe {
            Self::empty(slot)?;
            slot.cast::<Slot<Self::Value>>().write(Slot {
                marker: Self::MARKER,
                home: address(slot),
                value,
            });
        }
        Ok(())
    }

    /// The value in the storage at `slot`.
    ///
    /// # Safety
    /// As [`occupancy`](Self::occupancy), and nothing may write the storage during `'a`.
    unsafe fn load<'a>(slot: *const Self) -> Result<&'a Self::Value, jwt_status> {
        // SAFETY: forwarded to the caller.
        match unsafe { Self::occupancy(slot) }? {
            Occupancy::Empty => Err(jwt_status::JWT_UNINITIALIZED_KEY),
            Occupancy::Copy => Err(jwt_status::JWT_COPIED_KEY),
            // SAFETY: the marker with the storage's own address is only ever written
            // together with a value by `store`, and `empty` removes it before the value is
            // dropped.
            Occupancy::Holds => Ok(unsafe { &(*slot.cast::<Slot<Self::Value>>()).value }),
        }
    }

    /// Drops the value in the storage at `slot`, if it holds one, and zeroes the storage
    /// (a copy's bytes too, which may hold a secret).
    ///
    /// # Safety
    /// As [`store`](Self::store).
    unsafe fn empty(slot: *mut Self) -> Result<(), jwt_status> {
        // SAFETY: forwarded to the caller.
        let held = unsafe { Self::occupancy(slot) }?;
        let words = slot.cast::<Slot<Self::Value>>();
        // SAFETY: checked usable and held by `occupancy`; writable by the caller's promise.
        unsafe {
            if held == Occupancy::Holds {
                // The marker goes first, so the value is dropped exactly once.
                (*words).marker = 0;
                core::ptr::drop_in_place(&raw mut (*words).value);
            }
            slot.cast::<u8>().write_bytes(0, size_of::<Self>());
        }
        Ok(())
    }
}

/// What caller storage holds once initialised: the marker, the storage's address, the value.
#[repr(C)]
pub(crate) struct Slot<T> {
    marker: u64,
    home: u64,
    value: T,
}

/// The address of `slot`, as recorded in it.
fn address<T>(slot: *const T) -> u64 {
    slot as usize as u64
}

/// Makes the C type `$storage` (`#[repr(C, align(16))]` 64-bit words) caller storage for
/// `$value`, whose slots begin with `$marker`: implements [`CallerStorage`] and asserts at
/// compile time that a [`Slot`] of the value fits the storage and its alignment.
macro_rules! caller_storage {
    ($storage:ty, $value:ty, $marker:expr) => {
        // SAFETY: `$storage` is `#[repr(C)]` words; the asserts below check size and
        // alignment.
        unsafe impl $crate::storage::CallerStorage for $storage {
            type Value = $value;
            const MARKER: u64 = $marker;
        }

        const _: () = assert!(
            core::mem::size_of::<$crate::storage::Slot<$value>>()
                <= core::mem::size_of::<$storage>()
        );
        const _: () = assert!(
            core::mem::align_of::<$crate::storage::Slot<$value>>()
                <= core::mem::align_of::<$storage>()
        );
    };
}
pub(crate) use caller_storage;
