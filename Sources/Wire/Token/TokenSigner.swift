import Crypto

/// Issues HS256 JWTs; used by tests, benchmarks and tooling (clients normally get tokens elsewhere).
public struct TokenSigner: Sendable {
    private let key: HS256Key

    /// The encoded header `{"alg":"HS256","typ":"JWT"}`, the same for every token.
    private static let encodedHeader: [UInt8] = {
        var output: [UInt8] = []
        Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8), into: &output)
        return output
    }()

    /// Creates a signer.
    /// - Parameter secret: the shared secret, at least 32 bytes, else ``TokenError/secretTooShort``.
    public init(secret: [UInt8]) throws(TokenError) {
        key = try HS256Key(secret: secret)
    }

    /// Creates a signer from the UTF-8 bytes of `secret`.
    public init(secret: String) throws(TokenError) {
        try self.init(secret: Array(secret.utf8))
    }

    /// Returns `header.payload.signature` for `claims`, exactly as given (no defaults added).
    public func sign(_ claims: TokenClaims) -> String {
        var token = Self.encodedHeader
        token.reserveCapacity(256)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(claims.payloadJSON(), into: &token)
        let signature = HMAC<SHA256>.authenticationCode(for: token, using: key.key)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(Array(signature), into: &token)
        return String(decoding: token, as: UTF8.self)
    }
}
