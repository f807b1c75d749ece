/// Byte-level reading of ASCII text, for the middleware's fast paths: nearly every message is ASCII, and
/// Unicode's property tables cost more than the rest of its handling. Each caller keeps a Unicode path
/// for any other text.
enum ASCIIText {
    /// `body` over the bytes of `text` if it is all ASCII; nil for any other text.
    static func withBytes<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let result = text.utf8.withContiguousStorageIfAvailable { bytes -> Result? in
            bytes.allSatisfy { $0 < 0x80 } ? body(bytes) : nil
        }
        return result ?? nil
    }

    static func isUppercase(_ byte: UInt8) -> Bool { (0x41...0x5a).contains(byte) }

    static func lowercased(_ byte: UInt8) -> UInt8 { isUppercase(byte) ? byte | 0x20 : byte }
}
