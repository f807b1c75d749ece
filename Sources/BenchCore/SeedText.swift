/// Deterministic, realistic-looking ids and message texts for seeding benchmark state.
public enum SeedText {
    /// A random version-4-shaped UUID string (lower-case, 36 characters).
    public static func uuid(_ rng: inout some RandomNumberGenerator) -> String {
        let high = rng.next()
        let low = rng.next()
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { bytes.append(UInt8(ascii: "-")) }
            let nibble: UInt64
            switch i {
            case 12: nibble = 4
            case 16: nibble = 8 | ((low >> 2) & 3)
            default: nibble = i < 16 ? (high >> (4 * UInt64(i))) & 0xF : (low >> (4 * UInt64(i - 16))) & 0xF
            }
            bytes.append(hex[Int(nibble)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static let words = [
        "the", "meeting", "is", "moved", "to", "tomorrow", "morning", "can", "you", "check", "build",
        "release", "notes", "please", "thanks", "sure", "lunch", "today", "deploy", "went", "fine", "again",
        "broken", "test", "on", "main", "branch", "review", "my", "pull", "request", "when", "have", "time",
        "coffee", "later", "sounds", "good", "let", "me", "know", "if", "anything", "changes", "great", "work",
        "everyone", "who", "owns", "this", "ticket", "I", "think", "we", "should", "ship", "it", "now",
    ]

    /// A sentence of dictionary words, exactly `length` characters (UTF-8 bytes, ASCII only).
    public static func sentence(length: Int, _ rng: inout some RandomNumberGenerator) -> String {
        var text = ""
        text.reserveCapacity(length + 12)
        while text.utf8.count < length {
            if !text.isEmpty { text += " " }
            text += words[Int(rng.next() % UInt64(words.count))]
        }
        if text.utf8.count > length { text = String(text.utf8.prefix(length))! }
        return text
    }
}
