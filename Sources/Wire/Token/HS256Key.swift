import Crypto

/// The HMAC-SHA256 key shared by ``TokenSigner`` and ``TokenVerifier``.
struct HS256Key: @unchecked Sendable {
    // @unchecked: swift-crypto does not mark SymmetricKey Sendable, but it is an immutable value.
    let key: SymmetricKey

    init(secret: [UInt8]) throws(TokenError) {
        guard secret.count >= TokenVerifier.minimumSecretBytes else { throw .secretTooShort }
        key = SymmetricKey(data: secret)
    }
}
