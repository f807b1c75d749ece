/// Whether `s` is a valid user id: 1–64 characters of `[A-Za-z0-9_.-]`.
///
/// The same rule makes a safe MQTT topic level (no `/`, `+`, `#`), so the engine uses it for topic
/// levels too. Note that `.` and `..` pass; never use an id as a file path component unchanged.
public func isValidUserID(_ s: some StringProtocol) -> Bool {
    let utf8 = s.utf8
    // Every allowed character is one ASCII byte, so the byte count is the character count.
    guard (1...64).contains(utf8.count) else { return false }
    return utf8.allSatisfy(isUserIDByte)
}

@inline(__always)
func isUserIDByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
        true
    default:
        false
    }
}
