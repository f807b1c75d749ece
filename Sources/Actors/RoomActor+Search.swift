/// Search: a scan of the ring, newest first, that folds each message at most once.
extension RoomActor {
    /// Messages whose content contains `query` (case- and diacritic-insensitively folded), newest first.
    ///
    /// `fold` must be the same function on every call, and must fold ASCII text to its ASCII lowercase:
    /// ASCII contents are matched byte by byte, and other contents' folded copies are kept.
    public func search(for userId: String, folded query: String, limit: Int, fold: (String) -> String)
        throws(ChatError) -> [ChatMessage]
    {
        try requireMember(userId)
        if foldedContents.count > state.ring.count, let oldest = state.ring.first?.seq {
            // Copies of evicted messages go once there are more copies than messages.
            foldedContents = foldedContents.filter { $0.key >= oldest }
        }
        var found: [ChatMessage] = []
        for message in state.ring.reversed() where !message.deleted && message.kind != .system {
            if matches(message, folded: query, fold: fold) {
                found.append(message)
                if found.count == limit { break }
            }
        }
        return found
    }

    private func matches(_ message: ChatMessage, folded query: String, fold: (String) -> String) -> Bool {
        if let matched = SearchText.asciiContains(message.content, lowercased: query) { return matched }
        if let folded = foldedContents[message.seq] { return folded.contains(query) }
        let computed = fold(message.content)
        let folded = computed == message.content ? message.content : computed
        foldedContents[message.seq] = folded
        return folded.contains(query)
    }

    /// Drops the folded copies `change` made stale.
    func forgetFoldedContents(changedBy change: RoomChange) {
        guard !foldedContents.isEmpty else { return }
        switch change {
        case .edited(let seq, _, _), .deleted(let seq, _): foldedContents[seq] = nil
        case .removed(let seqs): for seq in seqs { foldedContents[seq] = nil }
        case .historyCleared: foldedContents = [:]
        default: break
        }
    }
}
