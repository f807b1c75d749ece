import Crypto

/// The `X-Chat-Signature` header of a push: `sha256=` and the lower-case hex HMAC-SHA256 of the exact body
/// bytes, keyed with `CHAT_PUSH_WEBHOOK_SECRET` (as GitHub's `X-Hub-Signature-256`).
enum WebhookSignature {
    static let header = "X-Chat-Signature"

    static func sign(_ body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + hex(Array(mac))
    }

    /// Whether `header` signs `body` with `secret` (compared in constant time).
    static func verify(_ header: String, body: [UInt8], secret: [UInt8]) -> Bool {
        let expected = Array(sign(body, secret: secret).utf8)
        let given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
