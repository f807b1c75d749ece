/// Search's common case without folding: ASCII text, which folds to its ASCII lowercase.
enum SearchText {
    /// Whether `text` contains `query`, ignoring ASCII case, when `text` is ASCII; nil when it is not,
    /// and the caller must fold. `query` must already be folded. Text with a carriage return also gives
    /// nil: there CR LF is one Character, which a byte-wise match would split.
    static func asciiContains(_ text: String, lowercased query: String) -> Bool? {
        let result = text.utf8.withContiguousStorageIfAvailable { text in
            query.utf8.withContiguousStorageIfAvailable { query in asciiContains(text, query) } ?? nil
        }
        return result ?? nil
    }

    private static func asciiContains(_ text: UnsafeBufferPointer<UInt8>, _ query: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in text where byte >= 0x80 || byte == UInt8(ascii: "\r") { return nil }
        guard query.count <= text.count else { return false }
        guard !query.isEmpty else { return true }
        candidates: for start in 0...(text.count - query.count) {
            for offset in 0..<query.count where lowercase(text[start + offset]) != query[offset] {
                continue candidates
            }
            return true
        }
        return false
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
