/* The smallest program that links the C interface: signs an HS256 token and verifies it.
 * Built by tests/link.rs through pkg-config and through jwt_core.mk. */
#include <stdio.h>
#include <string.h>

#include "jwt_core.h"

int main(void) {
    static const uint8_t secret[32] = "an HS256 secret of 32 bytes!!!!";
    jwt_key key;
    memset(&key, 0, sizeof key);
    jwt_status s = jwt_key_hs256(&key, secret, sizeof secret);
    char token[256];
    size_t len = 0;
    const char *claims_json = "{\"sub\":\"alice\",\"exp\":1800000300}";
    jwt_str none = {NULL, 0};
    if (s == JWT_OK) s = jwt_sign(&key, claims_json, strlen(claims_json), none, none, token,
                                  sizeof token, &len);
    jwt_policy policy;
    if (s == JWT_OK) s = jwt_policy_init(&policy, JWT_PRESET_JWT);
    uint8_t buf[256];
    jwt_claims claims;
    if (s == JWT_OK) s = jwt_verify(token, len, &key, &policy, 1800000000, buf, sizeof buf, &claims);
    jwt_key_clear(&key);
    if (s != JWT_OK) {
        fprintf(stderr, "%s\n", jwt_status_str(s));
        return 1;
    }
    printf("verified: sub=%.*s\n", (int)claims.sub.len, claims.sub.ptr);
    return 0;
}
