import MQTT
import Wire

/// Finds and verifies the token of a request: `"token"` in the payload or an MQTT 5 `authorization`
/// user property `Bearer <jwt>`.
public struct Authenticator: Sendable {
    let verifier: TokenVerifier

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
            let claims = try verifier.verify(token, now: now)
            return .success(Identity(userId: claims.sub, name: claims.displayName, isAdmin: claims.isAdmin))
        } catch {
            return .failure(.invalidToken("\(error)"))
        }
    }
}
