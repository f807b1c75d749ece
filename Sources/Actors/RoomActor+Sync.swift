/// Sync: one member's catch-up on one room, in one turn of the actor so it is a consistent cut.
extension RoomActor {
    /// Messages after the client's position (the newest `limit` when it gave none), and the messages it
    /// holds that changed since its change number, within about `byteBudget` bytes of JSON: past it
    /// the entry stops early with `hasMore` (new messages) or `changesTruncated` (changes). Returns the
    /// entry, the bytes it used, and whether the budget cut its new messages short.
    public func sync(
        for userId: String, from position: RoomSyncPosition?, limit: Int, byteBudget: Int = .max
    ) throws(ChatError) -> (entry: RoomSyncEntry, bytes: Int, cut: Bool) {
        try requireMember(userId)
        let ring = state.ring
        var messages: [ChatMessage] = []
        var hasMore = false
        var changed: [ChatMessage] = []
        var truncated = false
        var cut = false
        var bytes = 0
        /// Takes `message` if it fits the budget.
        func fits(_ message: ChatMessage) -> Bool {
            let size = message.estimatedJSONBytes
            guard bytes + size <= byteBudget else { return false }
            bytes += size
            return true
        }
        if let position {
            var index = ring.lowerBound(seq: position.lastSeq == .max ? .max : position.lastSeq + 1)
            let end = min(ring.count, index + limit)
            hasMore = ring.count - index > limit
            messages.reserveCapacity(end - index)
            while index < end {
                guard fits(ring[index]) else {
                    hasMore = true
                    cut = true
                    break
                }
                messages.append(ring[index])
                index += 1
            }
            if let seen = position.changeSeq {
                if let seqs = state.changes.seqs(changedAfter: seen) {
                    for seq in seqs where seq <= position.lastSeq {
                        guard let message = state.message(seq: seq) else { continue }
                        guard fits(message) else {
                            changed = []
                            truncated = true
                            break
                        }
                        changed.append(message)
                    }
                } else {
                    truncated = true
                }
            }
        } else {
            var index = ring.count
            let oldest = max(0, ring.count - limit)
            while index > oldest, fits(ring[index - 1]) { index -= 1 }
            messages = Array(ring[index..<ring.count])
            hasMore = index > 0
            cut = index > oldest
        }
        let entry = RoomSyncEntry(
            info: state.info, memberCount: state.memberCount, lastSeq: state.lastSeq,
            readSeq: state.readMarks[userId] ?? 0, unread: state.unreadCount(for: userId), firstSeq: state.firstSeq,
            changeSeq: state.changes.changeSeq, messages: messages, hasMore: hasMore, changed: changed,
            changesTruncated: truncated, topicEpoch: state.topicEpoch)
        return (entry, bytes, cut)
    }
}
