/// The engine's read routes, whose replies it does not remember (PROTOCOL.md §1.6): a repeated read runs
/// again, so its second reply may rightly differ from the first.
public enum ReadRoute {
    /// Whether `topic` is `chat/rooms/list`, `chat/rooms/{id}/info`, `chat/history/{id}`, `chat/search/{id}`,
    /// `chat/search`, `chat/sync`, `chat/users/blocked` or `chat/file/get/{id}`.
    public static func matches(topic: String?) -> Bool {
        guard let levels = topic?.split(separator: "/", omittingEmptySubsequences: false),
              levels.count >= 2, levels[0] == "chat"
        else { return false }
        switch (levels.count, levels[1]) {
        case (2, "sync"), (2, "search"): return true
        case (3, "users"): return levels[2] == "blocked"
        case (3, "rooms"): return levels[2] == "list"
        // `chat/rooms/join/info` is a join of the room called `info`: a literal level beats a parameter.
        case (4, "rooms"): return levels[3] == "info" && !["join", "leave", "invite"].contains(levels[2])
        case (3, "history"), (3, "search"): return true
        case (4, "file"): return levels[2] == "get"
        default: return false
        }
    }
}
