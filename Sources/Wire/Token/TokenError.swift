/// Why a token (or a signing secret) was refused.
///
/// The engine answers every case with `unauthorized`; ``code`` is for logs and metrics.
public enum TokenError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The secret is shorter than ``TokenVerifier/minimumSecretBytes``.
    case secretTooShort
    /// The token is longer than ``TokenVerifier/maximumTokenBytes``.
    case tooLarge
    /// Not three non-empty base64url segments, a `typ` other than JWT, a `crit` header, or a payload
    /// that is not a JSON object.
    case malformed
    /// The header is not JSON, or its `alg` is not `HS256` (including `none` and a missing `alg`).
    case unsupportedAlgorithm
    /// The signature does not match the secret (or is not 32 bytes of base64url).
    case badSignature
    /// No numeric `exp` claim: tokens without an expiry are refused.
    case missingExpiry
    /// `now >= exp`.
    case expired
    /// `nbf` is later than now.
    case notYetValid
    /// No `sub` claim, or it is not a string.
    case missingSubject
    /// `sub` is not a valid user id (see ``isValidUserID(_:)``).
    case invalidSubject
    /// `name` is not a string of 1–100 characters, `role` is not a string, or `iat`/`nbf`/`exp` is not a number.
    case invalidClaims

    /// A stable snake_case code for logs and metrics labels.
    public var code: String {
        switch self {
        case .secretTooShort: "secret_too_short"
        case .tooLarge: "too_large"
        case .malformed: "malformed"
        case .unsupportedAlgorithm: "unsupported_algorithm"
        case .badSignature: "bad_signature"
        case .missingExpiry: "missing_expiry"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .missingSubject: "missing_subject"
        case .invalidSubject: "invalid_subject"
        case .invalidClaims: "invalid_claims"
        }
    }

    /// A human sentence.
    public var description: String {
        switch self {
        case .secretTooShort: "the token secret must be at least 32 bytes"
        case .tooLarge: "token too large"
        case .malformed: "token is malformed"
        case .unsupportedAlgorithm: "token algorithm is not HS256"
        case .badSignature: "token signature is invalid"
        case .missingExpiry: "token has no exp claim"
        case .expired: "token has expired"
        case .notYetValid: "token is not valid yet (nbf)"
        case .missingSubject: "token has no sub claim"
        case .invalidSubject: "token sub is not a valid user id"
        case .invalidClaims: "token claims have the wrong types"
        }
    }
}
