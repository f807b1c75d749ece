import MQTT
import Synchronization
import Wire

/// Finds and verifies the token of a request: `"token"` in the payload or an MQTT 5 `authorization`
/// user property `Bearer <jwt>`.
///
/// Verified claims are cached by token string, so a client sending many requests with one token costs one
/// HMAC, not one per request; expiry and not-before are still checked against the clock on every use.
public final class Authenticator: Sendable {
    let verifier: TokenVerifier
    private let cache = Mutex<[String: TokenClaims]>([:])
    /// Tokens remembered at most; the cache is emptied when full (forged tokens never enter it).
    static let cacheCapacity = 20_000

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    /// Why a request could not be attributed to anyone; it gets no reply.
    public enum Failure: Error, Equatable {
        case missingToken
        case invalidToken(String)
    }

    /// The identity behind the request, or why there is none.
    public func identify(payload: [String: JSONValue], message: MQTTMessage, now: Double) -> Result<Identity, Failure> {
        let token: String
        if let fromPayload = payload["token"]?.stringValue {
            token = fromPayload
        } else if let header = message.userProperty("authorization"), header.hasPrefix("Bearer ") {
            token = String(header.dropFirst("Bearer ".count))
        } else {
            return .failure(.missingToken)
        }
        do {
            let claims = try claims(of: token, now: now)
            return .success(Identity(userId: claims.sub, name: claims.displayName, isAdmin: claims.isAdmin))
        } catch {
            return .failure(.invalidToken("\(error)"))
        }
    }

    func claims(of token: String, now: Double) throws(TokenError) -> TokenClaims {
        if let cached = cache.withLock({ $0[token] }) {
            if let exp = cached.exp, now >= exp { throw TokenError.expired }
            if let nbf = cached.nbf, nbf > now { throw TokenError.notYetValid }
            return cached
        }
        let claims = try verifier.verify(token, now: now)
        cache.withLock { cache in
            if cache.count >= Self.cacheCapacity { cache.removeAll(keepingCapacity: true) }
            cache[token] = claims
        }
        return claims
    }
}
