import Actors

/// Lets only global admins (`role: admin`) through.
public struct RequireGlobalAdmin: Middleware {
    public init() {}

    public func process(_ request: inout Request) throws(ChatError) {
        guard request.user.isAdmin else { throw ChatError(.forbidden, "this action needs a global admin") }
    }
}
