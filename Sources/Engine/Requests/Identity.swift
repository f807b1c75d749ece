/// The authenticated user behind a request, from the token's claims.
public struct Identity: Sendable, Equatable {
    public var userId: String
    public var name: String
    /// A global admin (`role: admin`) may moderate every room and broadcast.
    public var isAdmin: Bool

    public init(userId: String, name: String, isAdmin: Bool) {
        self.userId = userId
        self.name = name
        self.isAdmin = isAdmin
    }
}
