import Actors

/// A check or rewrite a request passes before its handler (validation, profanity, admin rights).
///
/// Synchronous on purpose: every middleware here is a pure check, and an `await` per step would cost a
/// suspension on the hot path for nothing.
public protocol Middleware: Sendable {
    func process(_ request: inout Request) throws(ChatError)
}
