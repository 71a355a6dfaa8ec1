//! OAuth 2.0 scopes in access tokens: the space-delimited `scope` claim (RFC 8693 section 4.2,
//! RFC 9068 section 2.2.3) and the `scp` array some providers issue instead.
//!
//! ```
//! use jwt_core::scope::Scopes;
//!
//! let granted = Scopes::Delimited("openid orders:read orders:write");
//! assert!(granted.contains_all(&["orders:read", "orders:write"]));
//! assert!(!granted.contains_all(&["orders:read", "admin"]));
//! assert!(granted.contains_any(&["admin", "orders:read"]));
//! // Scope tokens compare exactly: no prefix, case or wildcard matching.
//! assert!(!granted.contains("orders"));
//! assert!(Scopes::List(&["orders:read"]).contains("orders:read"));
//! ```

/// The scopes a token grants, in either of the forms providers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scopes<'a> {
    /// A `scope` claim: scope tokens separated by spaces. Empty tokens (from repeated spaces)
    /// are not scopes.
    Delimited(&'a str),
    /// An `scp` claim: one scope per array element.
    List(&'a [&'a str]),
}

impl<'a> Scopes<'a> {
    /// Every granted scope token, in order.
    ///
    /// ```
    /// let scopes = jwt_core::scope::Scopes::Delimited("a  b");
    /// assert!(scopes.iter().eq(["a", "b"]));
    /// ```
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (delimited, list) = match self {
            Scopes::Delimited(s) => (Some(s.split(' ').filter(|t| !t.is_empty())), None),
            Scopes::List(l) => (None, Some(l.iter().copied())),
        };
        delimited
            .into_iter()
            .flatten()
            .chain(list.into_iter().flatten())
    }

    /// Whether `scope` is granted (exact comparison).
    ///
    /// ```
    /// assert!(jwt_core::scope::Scopes::Delimited("a b").contains("b"));
    /// ```
    pub fn contains(self, scope: &str) -> bool {
        !scope.is_empty() && self.iter().any(|granted| granted == scope)
    }

    /// Whether every one of `required` is granted (true for an empty list).
    ///
    /// ```
    /// assert!(jwt_core::scope::Scopes::Delimited("a b c").contains_all(&["c", "a"]));
    /// ```
    pub fn contains_all(self, required: &[&str]) -> bool {
        required.iter().all(|&scope| self.contains(scope))
    }

    /// Whether at least one of `wanted` is granted (false for an empty list).
    ///
    /// ```
    /// assert!(!jwt_core::scope::Scopes::Delimited("a").contains_any(&[]));
    /// ```
    pub fn contains_any(self, wanted: &[&str]) -> bool {
        wanted.iter().any(|&scope| self.contains(scope))
    }
}
