//! The baseline: the harness alone (vector table, start-up, semihosting exit), no jwt-core.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::harness;

#[entry]
fn main() -> ! {
    let (_, stack) = harness::peak_stack(|| 0u32);
    harness::pass("empty", stack, 0)
}
