import Synchronization
import Wire

/// Finds and verifies the token of a request: `"token"` in the payload, else the bearer token its
/// transport carried beside it (an MQTT 5 `authorization` property, a socket's or an HTTP header's).
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
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingToken
        case invalidToken(String)

        public var description: String {
            switch self {
            case .missingToken: "a token is required: Authorization: Bearer <token>, or \"token\" in the payload"
            case .invalidToken(let reason): "the token is not valid: \(reason)"
            }
        }
    }

    /// The identity behind the request, or why there is none.
    public func identify(payload: [String: JSONValue], credentials: InboundRequest.Credentials, now: Double) -> Result<Identity, Failure> {
        let token: String
        if case .verified(let identity) = credentials {
            return .success(identity)
        } else if let fromPayload = payload["token"]?.stringValue {
            token = fromPayload
        } else if case .bearer(let bearer) = credentials {
            token = bearer
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
