// MARK: - Payload encoding and decoding

extension TokenClaims {
    /// Reads claims from a payload object, checking types; time checks are the verifier's.
    /// An explicit `null` counts as absent for the optional claims.
    init(payload: [String: JSONValue]) throws(TokenError) {
        guard let sub = payload["sub"]?.stringValue else { throw .missingSubject }
        guard isValidUserID(sub) else { throw .invalidSubject }
        guard let expValue = payload["exp"], !expValue.isNull else { throw .missingExpiry }
        guard let exp = expValue.doubleValue else { throw .invalidClaims }
        self.init(
            sub: sub,
            exp: exp,
            nbf: try Self.optional(payload["nbf"], \.doubleValue),
            iat: try Self.optional(payload["iat"], \.doubleValue),
            name: try Self.optional(payload["name"], \.stringValue),
            role: try Self.optional(payload["role"], \.stringValue)
        )
        if let name, !(1...100).contains(name.unicodeScalars.count) { throw .invalidClaims }
    }

    private static func optional<T>(
        _ value: JSONValue?, _ extract: (JSONValue) -> T?
    ) throws(TokenError) -> T? {
        guard let value, !value.isNull else { return nil }
        guard let typed = extract(value) else { throw .invalidClaims }
        return typed
    }

    /// The payload JSON, keys in a fixed order, absent claims left out.
    func payloadJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.field("sub", sub)
        if let name { writer.field("name", name) }
        if let role { writer.field("role", role) }
        if let iat { writer.field("iat", iat) }
        if let nbf { writer.field("nbf", nbf) }
        if let exp { writer.field("exp", exp) }
        writer.endObject()
        return writer.bytes
    }
}
