/// The id of the direct room of two users: one id per pair, whoever writes first, and never one id for
/// two pairs.
///
/// Two forms, both one topic level:
/// - `private_{a}_{b}`, with `a < b`, when neither id contains `_`: readable, and the id such rooms
///   always had;
/// - `private_{n}-{a}_{b}` otherwise, where `n` is the length of `a` in decimal (user ids are ASCII, so
///   characters and bytes agree).
///
/// No two pairs share an id: after the prefix, the first form has exactly one `_` and the second at least
/// two (the one after `a` plus the one in an id), so the forms never meet; in the first form the single
/// `_` splits the pair, in the second `n` says where `a` ends. The first form alone would not do: `bob`
/// with `carol_smith` and `bob_carol` with `smith` would both get `private_bob_carol_smith`.
public enum DirectRoomID {
    /// Every direct room id starts with this; no other room id does (the others are UUIDs).
    public static let prefix = "private_"

    /// The room id of the pair; the order of the arguments does not matter.
    public static func make(_ first: String, _ second: String) -> String {
        let (a, b) = first < second ? (first, second) : (second, first)
        if !a.utf8.contains(underscore) && !b.utf8.contains(underscore) { return prefix + a + "_" + b }
        return "\(prefix)\(a.utf8.count)-\(a)_\(b)"
    }

    /// Whether `roomId` is shaped like a direct room id, whether or not such a room exists.
    public static func isDirect(_ roomId: some StringProtocol) -> Bool {
        roomId.hasPrefix(prefix)
    }

    private static let underscore = UInt8(ascii: "_")
}
