//! The buffer of `jwt_verify`, `jwt_verify_keyset` and `jwt_decode_header`:
//! `jwt_verify_buf_len(token_len)` bytes suffice for every token, escapes included, and as
//! many bytes as the token suffice when no string the call unescapes holds an escape. Tokens
//! of the worst shapes (every registered string made of escaped quotes, one long string or
//! member name with a single escape) and pseudo-random ones mixing every kind of escape.

use jwt_core::SigningKey;
use jwt_core_ffi::*;

const SECRET: [u8; 32] = [0x42; 32];
const NOW: u64 = 1_800_000_000;
const EXP: &str = r#""exp":1900000000"#;

fn b64(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 4 / 3 + 4];
    let n = jwt_core::base64url::encode(bytes, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// An HS256 token over the header and claims exactly as written.
fn token(header: &str, claims: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let mut mac = [0u8; 32];
    let key = jwt_core::Hs256Key::new(&SECRET).unwrap();
    key.sign_signature(input.as_bytes(), &mut mac).unwrap();
    format!("{input}.{}", b64(&mac))
}

/// A key and a key set in caller storage, as C holds them; the set's key has the `kid`
/// whose JSON text is `kid`, if any.
struct Keys {
    key: Box<jwt_key>,
    set: Box<jwt_keyset>,
}

impl Keys {
    fn new(kid: Option<&str>) -> Keys {
        // SAFETY: all-zero bytes are empty storage (arrays of integers).
        let mut keys = Keys {
            key: Box::new(unsafe { core::mem::zeroed() }),
            set: Box::new(unsafe { core::mem::zeroed() }),
        };
        let kid = kid
            .map(|kid| format!(r#""kid":"{kid}","#))
            .unwrap_or_default();
        let jwks = format!(
            r#"{{"keys":[{{{kid}"kty":"oct","k":"{}"}}]}}"#,
            b64(&SECRET)
        );
        // SAFETY: zeroed storage, valid inputs.
        unsafe {
            assert_eq!(
                jwt_key_hs256(&mut *keys.key, SECRET.as_ptr(), SECRET.len()),
                jwt_status::JWT_OK
            );
            assert_eq!(
                jwt_keyset_parse(&mut *keys.set, jwks.as_ptr().cast(), jwks.len()),
                jwt_status::JWT_OK
            );
        }
        keys
    }

    /// `jwt_verify` (or `jwt_verify_keyset`) of `token` with a buffer of `len` bytes.
    fn verify(&self, token: &str, len: usize, keyset: bool) -> jwt_status {
        // SAFETY: all-zero bytes are a valid policy, then the JWT preset.
        let mut policy: jwt_policy = unsafe { core::mem::zeroed() };
        // SAFETY: valid storage.
        unsafe { jwt_policy_init(&mut policy, 0) };
        let mut buf = vec![0u8; len];
        // SAFETY: as for the policy.
        let mut claims: jwt_claims = unsafe { core::mem::zeroed() };
        let (t, n, b) = (token.as_ptr().cast(), token.len(), buf.as_mut_ptr());
        // SAFETY: every pointer is valid for the length passed with it.
        unsafe {
            if keyset {
                jwt_verify_keyset(t, n, &*self.set, &policy, NOW, b, len, &mut claims)
            } else {
                jwt_verify(t, n, &*self.key, &policy, NOW, b, len, &mut claims)
            }
        }
    }
}

/// `jwt_decode_header` of `token` with a buffer of `len` bytes.
fn decode_header(token: &str, len: usize) -> jwt_status {
    let mut buf = vec![0u8; len];
    let mut header = core::mem::MaybeUninit::<jwt_header>::uninit();
    // SAFETY: valid pointers for their lengths; the header is only written.
    unsafe {
        jwt_decode_header(
            token.as_ptr().cast(),
            token.len(),
            buf.as_mut_ptr(),
            len,
            header.as_mut_ptr(),
        )
    }
}

/// The smallest buffer with which `call` answers `JWT_OK` for `token` (a larger buffer never
/// hurts).
fn least_buffer(token: &str, call: impl Fn(usize) -> jwt_status) -> usize {
    let (mut low, mut high) = (0, 2 * token.len());
    assert_eq!(call(high), jwt_status::JWT_OK, "{token}");
    while low < high {
        let mid = (low + high) / 2;
        match call(mid) {
            jwt_status::JWT_OK => high = mid,
            jwt_status::JWT_BUFFER_TOO_SMALL => low = mid + 1,
            other => panic!("{other:?} with {mid} bytes"),
        }
    }
    low
}

/// The least buffer `jwt_verify` needs for `token`, checked to be the one
/// `jwt_verify_keyset` needs and to be within `jwt_verify_buf_len`.
fn checked(keys: &Keys, token: &str) -> usize {
    let least = least_buffer(token, |len| keys.verify(token, len, false));
    assert_eq!(
        least,
        least_buffer(token, |len| keys.verify(token, len, true)),
        "{token}"
    );
    assert!(
        least <= jwt_verify_buf_len(token.len()),
        "{least} > bound, {token}"
    );
    assert_eq!(
        keys.verify(token, jwt_verify_buf_len(token.len()), false),
        jwt_status::JWT_OK
    );
    least
}

/// `n` copies of `text`.
fn times(text: &str, n: usize) -> String {
    text.repeat(n)
}

#[test]
fn the_bound_holds_for_the_worst_escapes() {
    let keys = Keys::new(None);
    let quotes = times(r#"\""#, 250);
    let registered = ["iss", "sub", "jti", "client_id", "scope"];
    // Every registered string made of escaped quotes: a 3.5 KB token that a buffer of its
    // own length does not hold.
    let all_quotes = registered
        .map(|name| format!(r#""{name}":"{quotes}""#))
        .join(",");
    let quoted = token(r#"{"alg":"HS256"}"#, &format!("{{{all_quotes},{EXP}}}"));
    assert!(quoted.len() > 3400);
    let least = checked(&keys, &quoted);
    assert!(least > quoted.len(), "{least} bytes for {}", quoted.len());
    assert_eq!(
        keys.verify(&quoted, quoted.len(), false),
        jwt_status::JWT_BUFFER_TOO_SMALL
    );

    // One long string, or member name, whose one escape makes it copied whole; or five.
    let long = times("a", 3000);
    let shorter = times("a", 1500);
    for claims in [
        format!(r#"{{"sub":"{long}\n",{EXP}}}"#),
        format!(r#"{{"{long}\n":1,{EXP}}}"#),
        format!(
            "{{{},{EXP}}}",
            registered
                .map(|name| format!(r#""{name}":"{shorter}\/""#))
                .join(",")
        ),
    ] {
        let t = token(r#"{"alg":"HS256"}"#, &claims);
        let least = checked(&keys, &t);
        assert!(least > t.len(), "{least} bytes for {}", t.len());
    }

    // Without escapes, as long as the token is enough.
    let plain = registered
        .map(|name| format!(r#""{name}":"{shorter}""#))
        .join(",");
    let t = token(r#"{"alg":"HS256"}"#, &format!("{{{plain},{EXP}}}"));
    assert!(checked(&keys, &t) <= t.len());
}

#[test]
fn the_bound_holds_for_headers_with_escapes() {
    let quotes = times(r#"\""#, 500);
    let t = token(
        &format!(r#"{{"alg":"HS256","kid":"{quotes}","typ":"{quotes}"}}"#),
        &format!("{{{EXP}}}"),
    );
    let least = least_buffer(&t, |len| decode_header(&t, len));
    assert!(least > t.len(), "{least} bytes for {}", t.len());
    assert!(least <= jwt_verify_buf_len(t.len()));
    let plain = token(r#"{"alg":"HS256","kid":"k-1","typ":"JWT"}"#, "{}");
    assert!(least_buffer(&plain, |len| decode_header(&plain, len)) <= plain.len());
}

/// xorshift64*: the same pseudo-random tokens on every run.
struct Random(u64);

impl Random {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % below
    }

    /// JSON string text (without its quotes) of up to `max` characters, escapes of every
    /// kind among plain ASCII and UTF-8.
    fn string(&mut self, max: usize) -> String {
        const PIECES: [&str; 12] = [
            "a",
            "z",
            "\u{e9}",
            "\u{20ac}",
            r#"\""#,
            r"\\",
            r"\/",
            r"\n",
            r"\u0041",
            r"\u00e9",
            r"\u20ac",
            r"\ud83d\ude00",
        ];
        let len = self.next(max + 1);
        (0..len).map(|_| PIECES[self.next(PIECES.len())]).collect()
    }
}

#[test]
fn the_bound_holds_for_random_escapes() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let names = ["iss", "sub", "jti", "client_id", "scope", "nonce", "other"];
    let mut worst: f64 = 0.0;
    for _ in 0..200 {
        let mut members = vec![EXP.to_string()];
        for name in names {
            if random.next(3) != 0 {
                members.push(format!(r#""{name}":"{}""#, random.string(400)));
            }
        }
        for i in 0..random.next(3) {
            members.push(format!(
                r#""x{i}-{}":{}"#,
                random.string(200),
                random.next(10)
            ));
        }
        let claims = format!("{{{}}}", members.join(","));
        // Unescaped, at most 120 bytes: a key set keeps `kid`s of up to 128.
        let kid = random.string(30);
        let keys = Keys::new(Some(&kid));
        let t = token(&format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#), &claims);
        let least = checked(&keys, &t);
        let header = least_buffer(&t, |len| decode_header(&t, len));
        assert!(header <= jwt_verify_buf_len(t.len()), "{t}");
        worst = worst.max(least.max(header) as f64 / t.len() as f64);
    }
    println!("the most any of these tokens needed: {worst:.3} times its length");
}
