import Crypto

/// Checks HS256 JWTs and returns their claims; one per engine, shared by all tasks.
///
/// Order of checks: size, shape, header (`alg`, `typ`, `crit`), signature, then claims, so nothing
/// from an unsigned payload is trusted.
public struct TokenVerifier: Sendable {
    /// Shortest secret accepted: HS256's key should be at least as long as its output.
    public static let minimumSecretBytes = 32
    /// Longest token accepted, in bytes; bounds the work spent on hostile input.
    public static let maximumTokenBytes = 4096

    private let key: HS256Key

    /// Creates a verifier.
    /// - Parameter secret: the shared secret, at least 32 bytes, else ``TokenError/secretTooShort``.
    public init(secret: [UInt8]) throws(TokenError) {
        key = try HS256Key(secret: secret)
    }

    /// Creates a verifier from the UTF-8 bytes of `secret`.
    public init(secret: String) throws(TokenError) {
        try self.init(secret: Array(secret.utf8))
    }

    /// Verifies `token` at time `now` (Unix seconds) and returns its claims.
    /// `exp` is required and the token is expired from `now >= exp`; `nbf`, when present, must be `<= now`.
    public func verify(_ token: String, now: Double) throws(TokenError) -> TokenClaims {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLarge }
        var token = token
        let claims = try token.withUTF8 { bytes in
            Result { () throws(TokenError) in try verifiedClaims(bytes) }
        }.get()
        guard let exp = claims.exp else { throw .missingExpiry }
        guard now < exp else { throw .expired }
        if let nbf = claims.nbf, nbf > now { throw .notYetValid }
        return claims
    }

    private func verifiedClaims(_ bytes: UnsafeBufferPointer<UInt8>) throws(TokenError) -> TokenClaims {
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: ".")),
            firstDot > 0, secondDot > firstDot + 1, secondDot + 1 < bytes.count
        else { throw .malformed }

        try checkHeader(UnsafeBufferPointer(rebasing: bytes[..<firstDot]))

        // A signature segment that does not even decode to 32 bytes is just a wrong signature.
        let signature = Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])) ?? []
        let signingInput = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[..<secondDot])
        guard signature.count == SHA256.byteCount,
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key.key)
        else { throw .badSignature }

        guard let payloadBytes = Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])),
            let payload = (try? JSONParser.parse(payloadBytes, maxDepth: 8))?.objectValue
        else { throw .malformed }
        return try TokenClaims(payload: payload)
    }

    private func checkHeader(_ encoded: UnsafeBufferPointer<UInt8>) throws(TokenError) {
        guard let bytes = Base64URL.decode(encoded) else { throw .malformed }
        guard let header = (try? JSONParser.parse(bytes, maxDepth: 4))?.objectValue,
            header["alg"]?.stringValue == "HS256"
        else { throw .unsupportedAlgorithm }
        if let typ = header["typ"] {
            guard typ.stringValue?.lowercased() == "jwt" else { throw .malformed }
        }
        // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
        guard header["crit"] == nil else { throw .malformed }
    }
}
