/* Key storage as C code treats it: copied by assignment and memcpy, initialised again, and
 * placed at addresses not aligned for it. tests/c.rs runs this under valgrind and under
 * AddressSanitizer with LeakSanitizer: a copy used or cleared after its original was cleared
 * must read no freed memory and free nothing twice, initialising storage that holds a key
 * must leak nothing, and misaligned storage must be refused before it is touched.
 * Prints "N checks, M failed" and exits non-zero on a failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jwt_core.h"
#include "keys.h"

static const uint8_t SECRET[32] = {
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42};
static const jwt_str NONE = {NULL, 0};

/* The header declares the storage as the library lays it out: 64-bit words, 16-byte aligned
 * (some keys hold 128-bit integers), no padding. */
_Static_assert(_Alignof(jwt_key) == 16 && _Alignof(jwt_keyset) == 16, "16-byte key storage");
_Static_assert(sizeof(jwt_key) == 8 * JWT_KEY_WORDS, "jwt_key is its words");
_Static_assert(sizeof(jwt_keyset) == 8 * JWT_KEYSET_WORDS, "jwt_keyset is its words");

static jwt_status verify(const jwt_key *key) {
    jwt_policy policy;
    jwt_policy_init(&policy, JWT_PRESET_JWT);
    uint8_t buf[1024];
    jwt_claims claims;
    const char *token = TEST_RS256_TOKEN;
    return jwt_verify(token, strlen(token), key, &policy, TEST_NOW, buf, sizeof buf, &claims);
}

static jwt_status verify_keyset(const jwt_keyset *set) {
    jwt_policy policy;
    jwt_policy_init(&policy, JWT_PRESET_JWT);
    uint8_t buf[1024];
    jwt_claims claims;
    const char *token = TEST_RS256_TOKEN;
    return jwt_verify_keyset(token, strlen(token), set, &policy, TEST_NOW, buf, sizeof buf,
                             &claims);
}

static int all_zero(const void *storage, size_t len) {
    const unsigned char *bytes = storage;
    for (size_t i = 0; i < len; i++)
        if (bytes[i] != 0) return 0;
    return 1;
}

/* A copy of an RS256 key's storage holds no key: the memory the key owns is its
 * original's, so using the copy after the original is cleared reads nothing freed, and
 * clearing both frees it once. */
static void test_copied_key(void) {
    jwt_key original, copy;
    memset(&original, 0, sizeof original);
    CHECK_STATUS(jwt_key_rs256_der(&original, TEST_RSA_SPKI, sizeof TEST_RSA_SPKI), JWT_OK);
    copy = original;
    CHECK_STATUS(verify(&original), JWT_OK);
    CHECK_STATUS(verify(&copy), JWT_COPIED_KEY);
    jwt_key_clear(&original);
    CHECK_STATUS(verify(&copy), JWT_COPIED_KEY);
    CHECK_STATUS(jwt_verify_signature(&copy, (const uint8_t *)"a", 1, (const uint8_t *)"b", 1),
                 JWT_COPIED_KEY);
    jwt_key_clear(&copy);
    CHECK(all_zero(&copy, sizeof copy));
    CHECK_STATUS(verify(&copy), JWT_UNINITIALIZED_KEY);
    CHECK_STATUS(verify(&original), JWT_UNINITIALIZED_KEY);

    /* memcpy between heap blocks: clearing the copy leaves the original's key, and a copy
     * initialised again gets a key of its own. */
    jwt_key *a = calloc(1, sizeof *a), *b = malloc(sizeof *b);
    CHECK(a != NULL && b != NULL);
    if (a == NULL || b == NULL) return;
    CHECK_STATUS(jwt_key_rs256_der(a, TEST_RSA_PKCS1, sizeof TEST_RSA_PKCS1), JWT_OK);
    memcpy(b, a, sizeof *a);
    jwt_key_clear(b);
    CHECK_STATUS(verify(a), JWT_OK);
    memcpy(b, a, sizeof *a);
    CHECK_STATUS(jwt_key_rs256_der(b, TEST_RSA_SPKI, sizeof TEST_RSA_SPKI), JWT_OK);
    jwt_key_clear(a);
    CHECK_STATUS(verify(b), JWT_OK);
    jwt_key_clear(b);
    free(a);
    free(b);

    /* An HS256 key: its copy does not sign, and clearing the copy wipes the secret from it. */
    jwt_key hs, hs_copy;
    memset(&hs, 0, sizeof hs);
    CHECK_STATUS(jwt_key_hs256(&hs, SECRET, sizeof SECRET), JWT_OK);
    memcpy(&hs_copy, &hs, sizeof hs);
    char token[256];
    size_t len = 0;
    CHECK_STATUS(jwt_sign(&hs_copy, "{}", 2, NONE, NONE, token, sizeof token, &len),
                 JWT_COPIED_KEY);
    CHECK_STATUS(jwt_sign(&hs, "{}", 2, NONE, NONE, token, sizeof token, &len), JWT_OK);
    jwt_key_clear(&hs_copy);
    CHECK(all_zero(&hs_copy, sizeof hs_copy));
    jwt_key_clear(&hs);
    CHECK(all_zero(&hs, sizeof hs));
}

/* The same for a JWK Set of RS256 keys. */
static void test_copied_keyset(void) {
    static jwt_keyset original, copy;
    CHECK_STATUS(jwt_keyset_parse(&original, TEST_RSA_JWKS, strlen(TEST_RSA_JWKS)), JWT_OK);
    memcpy(&copy, &original, sizeof copy);
    CHECK(jwt_keyset_len(&original) == 2);
    CHECK(jwt_keyset_len(&copy) == 0);
    CHECK_STATUS(verify_keyset(&copy), JWT_COPIED_KEY);
    jwt_keyset_clear(&original);
    CHECK_STATUS(verify_keyset(&copy), JWT_COPIED_KEY);
    jwt_keyset_clear(&copy);
    CHECK_STATUS(verify_keyset(&copy), JWT_UNINITIALIZED_KEY);
    CHECK(all_zero(&copy, sizeof copy) && all_zero(&original, sizeof original));
}

/* Initialising storage that holds a key replaces the key without leaking it; a failed
 * initialisation keeps it. */
static void test_initialised_again(void) {
    jwt_key key;
    memset(&key, 0, sizeof key);
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(jwt_key_rs256_der(&key, TEST_RSA_SPKI, sizeof TEST_RSA_SPKI), JWT_OK);
        CHECK_STATUS(jwt_key_from_jwk(&key, TEST_RSA_JWK, strlen(TEST_RSA_JWK)), JWT_OK);
    }
    CHECK_STATUS(jwt_key_rs256_der(&key, (const uint8_t *)"junk", 4), JWT_INVALID_KEY);
    CHECK_STATUS(verify(&key), JWT_OK);
    CHECK_STATUS(jwt_key_hs256(&key, SECRET, sizeof SECRET), JWT_OK);
    CHECK_STATUS(verify(&key), JWT_ALGORITHM_MISMATCH);
    CHECK_STATUS(jwt_key_rs256_der(&key, TEST_RSA_PKCS1, sizeof TEST_RSA_PKCS1), JWT_OK);
    CHECK_STATUS(verify(&key), JWT_OK);
    jwt_key_clear(&key);

    static jwt_keyset set;
    for (int i = 0; i < 3; i++)
        CHECK_STATUS(jwt_keyset_parse(&set, TEST_RSA_JWKS, strlen(TEST_RSA_JWKS)), JWT_OK);
    CHECK_STATUS(jwt_keyset_parse(&set, "{\"keys\":[", 9), JWT_JSON);
    CHECK(jwt_keyset_len(&set) == 2);
    CHECK_STATUS(verify_keyset(&set), JWT_OK);
    jwt_keyset_clear(&set);
}

/* Storage, and the structs of a call, at addresses not aligned for their types: refused
 * with a status, and never read or written. Offset 8 is aligned for the words of the
 * storage but not for the storage itself. */
static void test_misaligned(void) {
    static union {
        jwt_keyset aligned;
        unsigned char bytes[sizeof(jwt_keyset) + 16];
    } raw;
    static const size_t offsets[] = {1, 4, 8};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        size_t offset = offsets[i];
        if (offset % _Alignof(jwt_key) == 0) continue;
        void *at = raw.bytes + offset;
        jwt_key *key = at;
        jwt_keyset *set = at;
        CHECK_STATUS(jwt_key_hs256(key, SECRET, sizeof SECRET), JWT_MISALIGNED_POINTER);
        CHECK_STATUS(jwt_key_rs256_der(key, TEST_RSA_SPKI, sizeof TEST_RSA_SPKI),
                     JWT_MISALIGNED_POINTER);
        CHECK_STATUS(verify(key), JWT_MISALIGNED_POINTER);
        CHECK_STATUS(jwt_verify_signature(key, (const uint8_t *)"a", 1, (const uint8_t *)"b", 1),
                     JWT_MISALIGNED_POINTER);
        jwt_key_clear(key);
        CHECK_STATUS(jwt_keyset_parse(set, TEST_RSA_JWKS, strlen(TEST_RSA_JWKS)),
                     JWT_MISALIGNED_POINTER);
        CHECK(jwt_keyset_len(set) == 0);
        CHECK_STATUS(verify_keyset(set), JWT_MISALIGNED_POINTER);
        jwt_keyset_clear(set);
        CHECK(all_zero(&raw, sizeof raw));

        /* The policy, the claims and an output length, with a key that is fine. */
        if (offset % _Alignof(jwt_policy) == 0 || offset % _Alignof(jwt_claims) == 0 ||
            offset % _Alignof(size_t) == 0)
            continue;
        jwt_key good;
        memset(&good, 0, sizeof good);
        CHECK_STATUS(jwt_key_rs256_der(&good, TEST_RSA_SPKI, sizeof TEST_RSA_SPKI), JWT_OK);
        jwt_policy policy;
        jwt_policy_init(&policy, JWT_PRESET_JWT);
        memcpy(at, &policy, sizeof policy);
        uint8_t buf[1024];
        jwt_claims claims;
        const char *token = TEST_RS256_TOKEN;
        CHECK_STATUS(jwt_verify(token, strlen(token), &good, (const jwt_policy *)at, TEST_NOW,
                                buf, sizeof buf, &claims),
                     JWT_MISALIGNED_POINTER);
        CHECK_STATUS(jwt_policy_init((jwt_policy *)at, JWT_PRESET_JWT), JWT_MISALIGNED_POINTER);
        CHECK_STATUS(jwt_verify(token, strlen(token), &good, &policy, TEST_NOW, buf, sizeof buf,
                                (jwt_claims *)at),
                     JWT_MISALIGNED_POINTER);
        char out[128];
        CHECK_STATUS(jwt_challenge(JWT_EXPIRED, NULL, 0, NULL, 0, out, sizeof out, (size_t *)at),
                     JWT_MISALIGNED_POINTER);
        memset(&raw, 0, sizeof raw);
        jwt_key_clear(&good);
    }
}

int main(void) {
    test_copied_key();
    test_copied_keyset();
    test_initialised_again();
    test_misaligned();
    printf("key storage: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
