import HTTPTypes

extension HTTPFields {
    /// The token of an `Authorization: Bearer` header, as the web gateway, the event stream and the HTTP
    /// API take it.
    var bearerToken: Substring? {
        guard let authorization = self[.authorization], authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return Substring(authorization.dropFirst("bearer ".count))
    }
}
