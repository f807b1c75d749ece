/// The claims the engine reads from a token.
public struct TokenClaims: Sendable, Equatable, Hashable {
    /// The user id (`sub`).
    public var sub: String
    /// Expiry, Unix seconds. Always present in a verified token.
    public var exp: Double?
    /// Not-before, Unix seconds.
    public var nbf: Double?
    /// Issued-at, Unix seconds; informational only.
    public var iat: Double?
    /// Display name, 1–100 characters.
    public var name: String?
    /// Role; `"admin"` makes a global admin.
    public var role: String?

    /// Creates claims; only `sub` is required here, but ``TokenVerifier`` also requires `exp`.
    public init(
        sub: String, exp: Double? = nil, nbf: Double? = nil, iat: Double? = nil,
        name: String? = nil, role: String? = nil
    ) {
        self.sub = sub
        self.exp = exp
        self.nbf = nbf
        self.iat = iat
        self.name = name
        self.role = role
    }

    /// The name to show: `name`, or `sub` when the token has none.
    public var displayName: String { name ?? sub }

    /// Whether `role` is `"admin"`.
    public var isAdmin: Bool { role == "admin" }
}
