/* A bare-metal C program for the MPS2 AN386 board (Cortex-M4F) that verifies one token
 * with jwt-core's C interface, as C firmware would: the key, the policy and the claims on
 * the stack, the token and the payload buffer in memory of its own, no heap. It reports
 * "<name> ok stack=<peak> heap=0" through semihosting, the line footprint/report.sh reads.
 *
 * Built by build.sh with -DHS256 or -DES256 (tokens.h holds the token and the key). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jwt_core.h"
#include "tokens.h"

/* Semihosting: ARM's debug channel to the host, which QEMU implements. */
static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void print(const char *text) { semihost(0x04, text); } /* SYS_WRITE0 */

static void finish(int ok) {
    /* SYS_EXIT: ADP_Stopped_ApplicationExit (QEMU exits 0) or RunTimeErrorUnknown (1). */
    semihost(0x18, (const void *)(uintptr_t)(ok ? 0x20026 : 0x20024));
    for (;;) {
    }
}

static void decimal(char *out, unsigned n) {
    char digits[12];
    int len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    while (len > 0) *out++ = digits[--len];
    *out = '\0';
}

static uint8_t payload_buf[512];

/* The measured work: make the key, verify, check the subject. */
__attribute__((noinline)) static int verify(void) {
    jwt_key key;
    memset(&key, 0, sizeof key);
#if defined(HS256)
    if (jwt_key_hs256(&key, (const uint8_t *)KEY, sizeof KEY - 1) != JWT_OK) return 0;
#else
    if (jwt_key_es256(&key, KEY, sizeof KEY) != JWT_OK) return 0;
#endif
    jwt_policy policy;
    jwt_policy_init(&policy, JWT_PRESET_JWT);
    jwt_str issuer = {ISSUER, sizeof ISSUER - 1}, audience = {AUDIENCE, sizeof AUDIENCE - 1};
    policy.issuers = &issuer;
    policy.issuers_len = 1;
    policy.audiences = &audience;
    policy.audiences_len = 1;
    jwt_claims claims;
    jwt_status status = jwt_verify(TOKEN, sizeof TOKEN - 1, &key, &policy, NOW, payload_buf,
                                   sizeof payload_buf, &claims);
    int ok = status == JWT_OK && claims.sub.len == sizeof SUBJECT - 1 &&
             memcmp(claims.sub.ptr, SUBJECT, claims.sub.len) == 0;
    jwt_key_clear(&key);
    return ok;
}

/* Bytes below the stack pointer painted before the call; the lowest word changed after it
 * gives the call's peak stack. */
#define WINDOW 8192u
#define PAINT 0xDEADBEEFu

int main(void) {
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    volatile uint32_t *top = (uint32_t *)(sp & ~3u), *bottom = top - WINDOW / 4;
    for (volatile uint32_t *p = bottom; p < top; p++) *p = PAINT;
    int ok = verify();
    volatile uint32_t *lowest = top;
    for (volatile uint32_t *p = bottom; p < top; p++) {
        if (*p != PAINT) {
            lowest = p;
            break;
        }
    }
    print(ok ? NAME " ok stack=" : NAME " FAILED stack=");
    char number[12];
    decimal(number, (unsigned)((top - lowest) * 4));
    print(number);
    print(" heap=0\n");
    finish(ok);
    return 0;
}

/* Start-up: copy .data, clear .bss, enable the FPU (the library is built for the
 * hard-float ABI), run main. */
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _stack_top;

void reset_handler(void) {
    for (uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10 and CP11 full access */
    __asm__ volatile("dsb\n isb");
    main();
    finish(0);
}

static void fault(void) { finish(0); }

__attribute__((section(".vector_table"), used)) static const void *const vectors[16] = {
    &_stack_top, (const void *)reset_handler, (const void *)fault, (const void *)fault,
    (const void *)fault, (const void *)fault, (const void *)fault,
};
