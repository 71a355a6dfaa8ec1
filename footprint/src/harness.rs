//! Measuring harness: reports through semihosting, paints the stack to find the peak of one
//! call, and exits QEMU with a status.

use core::panic::PanicInfo;
use cortex_m_semihosting::{debug, hio};

/// Bytes below the caller's stack pointer that [`peak_stack`] paints; a call that used more
/// would be reported as using all of them.
pub const STACK_WINDOW: usize = 16 * 1024;

const PAINT: u32 = 0x5AA5_C33C;

/// Runs `f` and returns its result with the peak bytes of stack it used, measured by painting
/// [`STACK_WINDOW`] bytes below the stack pointer beforehand and finding the lowest word that
/// changed afterwards.
#[inline(never)]
pub fn peak_stack<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let top = cortex_m::register::msp::read() as usize & !3;
    let bottom = top - STACK_WINDOW;
    // SAFETY: [bottom, top) lies below the stack pointer, inside RAM (memory.x gives 128 KiB
    // and the binaries' statics are far smaller), and no live frame uses it: it is the free
    // part of the stack, which `f` is about to use.
    for addr in (bottom..top).step_by(4) {
        unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
    }
    let result = call(f);
    let mut lowest = top;
    for addr in (bottom..top).step_by(4) {
        // SAFETY: as above; the words were written by the loop before.
        if unsafe { core::ptr::read_volatile(addr as *const u32) } != PAINT {
            lowest = addr;
            break;
        }
    }
    (result, top - lowest)
}

#[inline(never)]
fn call<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Writes `parts` as one line to the host's standard output.
pub fn line(parts: &[&[u8]]) {
    if let Ok(mut out) = hio::hstdout() {
        for part in parts {
            let _ = out.write_all(part);
        }
        let _ = out.write_all(b"\n");
    }
}

/// `n` in decimal, without `core::fmt` (which would add kilobytes to the flash being measured)
/// and without indexing (which would add a panic branch).
pub fn decimal(n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = n;
    let mut digits = 0;
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        digits += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(buf.len() - digits..).unwrap_or(&[])
}

/// The body of every verify binary: lends `verify` a payload buffer (the caller's, so not
/// counted in the stack figure), measures the stack of the call, and reports the result with
/// the heap peak `heap` returns afterwards.
pub fn run_verify(
    name: &str,
    heap: impl FnOnce() -> usize,
    verify: impl FnOnce(&mut [u8]) -> bool,
) -> ! {
    let mut buf = [0u8; crate::PAYLOAD_BUF];
    let (ok, stack) = peak_stack(|| verify(&mut buf));
    if !ok {
        fail(name, "the embedded token did not verify");
    }
    pass(name, stack, heap())
}

/// Reports `name ok stack=S heap=H` and ends the emulation with success.
pub fn pass(name: &str, stack: usize, heap: usize) -> ! {
    let (mut s, mut h) = ([0; 20], [0; 20]);
    line(&[
        name.as_bytes(),
        b" ok stack=",
        decimal(stack, &mut s),
        b" heap=",
        decimal(heap, &mut h),
    ]);
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Reports `name FAILED: why` and ends the emulation with failure.
pub fn fail(name: &str, why: &str) -> ! {
    line(&[name.as_bytes(), b" FAILED: ", why.as_bytes()]);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[cfg(not(feature = "panic-link-check"))]
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    fail("firmware", "panicked")
}

/// With `panic-link-check`, any panic path that survives optimisation references this
/// symbol, which no object defines, and the link fails naming it.
#[cfg(feature = "panic-link-check")]
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    unsafe extern "Rust" {
        fn jwt_core_firmware_has_a_reachable_panic() -> !;
    }
    // SAFETY: never runs: the link only succeeds if nothing can reach this handler.
    unsafe { jwt_core_firmware_has_a_reachable_panic() }
}
