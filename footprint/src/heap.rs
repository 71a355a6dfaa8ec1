//! A fixed-size heap for the RS256 binary (the rsa crate needs `alloc`) that records its peak.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};
use embedded_alloc::LlffHeap;

/// The global allocator of every binary built with the `rs256` feature.
#[global_allocator]
pub static HEAP: PeakHeap = PeakHeap::empty();

/// Bytes of RAM given to the heap.
pub const HEAP_SIZE: usize = 32 * 1024;

/// A first-fit heap that counts the bytes live and their peak.
pub struct PeakHeap {
    heap: LlffHeap,
    live: AtomicUsize,
    peak: AtomicUsize,
}

impl PeakHeap {
    /// An empty heap; [`PeakHeap::init`] gives it memory.
    pub const fn empty() -> Self {
        Self {
            heap: LlffHeap::empty(),
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Gives the heap its memory; call once, before the first allocation.
    pub fn init(&self) {
        use core::mem::MaybeUninit;
        static mut ARENA: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
        // SAFETY: called once at start-up (the binaries' first statement), so the arena is
        // handed to the heap exactly once and nothing else refers to it.
        unsafe { self.heap.init(&raw mut ARENA as usize, HEAP_SIZE) }
    }

    /// The most bytes live at once since start-up.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

// SAFETY: every call is forwarded to the inner allocator unchanged; the counters only observe.
unsafe impl GlobalAlloc for PeakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            let live = self.live.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.live.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}
